using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.ServiceManagers;
using ClawSharp.Tests.Fakes;
using ClawSharp.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// The lock across an in-process restart: the generation that closes releases it and the next
/// one takes it again, while another thread of the same process may be forking a child (an exec
/// agent, a task) that shares the lock's open file description until its exec closes it.
/// </summary>
public sealed class GatewayClaimLockTests : IDisposable
{
    private static readonly GatewayOptions Options = new() { Port = 0 };
    private readonly TempHome home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task ARestartInThisProcess_WaitsForTheLockItReleased_WhileAForkedChildStillSharesIt()
    {
        var logger = new TranscriptLogger(new Transcript());
        // A grace far longer than the test needs: the copy is closed once the wait is seen, however loaded the machine.
        var claim = new GatewayClaim(home.State, force: false, SupervisorKind.None, spawned: null, activation: null, logger, ownReleaseGrace: TimeSpan.FromSeconds(60));
        var (first, failure) = await claim.AcquireLockAsync(Options, firstStart: true, CancellationToken.None);
        Assert.Null(failure);
        // What a child forked at the moment of the release holds until its exec: another descriptor of the same description.
        var forkedChildsCopy = Posix.DuplicateAtLeast(LockDescriptor(), 3);
        var copyClosed = false;
        try
        {
            first!.Dispose();
            Assert.IsType<LockAttempt.Held>(GatewayLock.TryAcquire(home.State.LockFile, 0, "127.0.0.1", "none", NullLogger.Instance));

            var restart = claim.AcquireLockAsync(Options, firstStart: false, CancellationToken.None);
            await Eventually.AssertAsync(() => restart.IsCompleted || logger.Lines.Any(line => line.Contains("just released, is still held", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(10), "the restart to say it waits for the lock it released");
            Assert.False(restart.IsCompleted, $"the restart gave up while the lock was still held: {string.Join(" | ", logger.Lines)}");

            Posix.Close(forkedChildsCopy);
            copyClosed = true;
            var (again, refused) = await restart.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Null(refused);
            Assert.NotNull(again);
            again.Dispose();
        }
        finally
        {
            if (!copyClosed)
            {
                Posix.Close(forkedChildsCopy);
            }
        }
    }

    [Fact]
    public async Task AFirstStart_DoesNotWait_ForALockAnotherProcessHolds()
    {
        using var other = Assert.IsType<LockAttempt.Acquired>(GatewayLock.TryAcquire(home.State.LockFile, 0, "127.0.0.1", "none", NullLogger.Instance)).Lock;
        var logger = new TranscriptLogger(new Transcript());
        var claim = new GatewayClaim(home.State, force: false, SupervisorKind.None, spawned: null, activation: null, logger);

        var (gatewayLock, failure) = await claim.AcquireLockAsync(Options, firstStart: true, CancellationToken.None);

        Assert.Null(gatewayLock);
        Assert.NotNull(failure);
        Assert.DoesNotContain(logger.Lines, line => line.Contains("still held", StringComparison.Ordinal));
    }

    /// <summary>This process's descriptor of the lock file (the lock's own; nothing else here opens it).</summary>
    private int LockDescriptor() =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Where(entry => new FileInfo(entry).LinkTarget == home.State.LockFile)
            .Select(entry => int.Parse(Path.GetFileName(entry), System.Globalization.CultureInfo.InvariantCulture))
            .Single();
}

using System.Diagnostics;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClawSharp.Tests.Unit;

/// <summary><c>--force</c> on the lock owner: SIGTERM, the grace, SIGKILL; verified identities only, holding the lock.</summary>
public sealed class StaleGatewayTerminatorTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly string directory = Directory.CreateTempSubdirectory("clawsharp-terminator-").FullName;

    private string LockFile => Path.Combine(directory, "gateway.lock");

    /// <summary>The shell takes a write lock on <see cref="LockFile"/> (descriptor 9, kept across the exec) before <paramref name="script"/>.</summary>
    private string Holding(string script) => $"exec 9>>'{LockFile}'; flock -x 9; {script}";

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task AnOwnerThatLeavesOnSigterm_IsNotKilled()
    {
        using var owner = Start(Holding("exec sleep 60"));
        try
        {
            await WaitUntilSleepingAsync(owner);

            Assert.True(await new StaleGatewayTerminator(NullLogger.Instance, Deadline).TerminateLockOwnerAsync(LockOwnerOf(owner), LockFile));

            Assert.True(owner.WaitForExit(Deadline));
            Assert.Equal(128 + Posix.SIGTERM, owner.ExitCode);
        }
        finally
        {
            KillIfRunning(owner);
        }
    }

    [Fact]
    public async Task AnOwnerIgnoringSigterm_IsKilledAfterTheGrace()
    {
        using var owner = Start(Holding("trap '' TERM; exec sleep 60"));
        try
        {
            await WaitUntilSleepingAsync(owner);

            Assert.True(await new StaleGatewayTerminator(NullLogger.Instance, TimeSpan.FromMilliseconds(200)).TerminateLockOwnerAsync(LockOwnerOf(owner), LockFile));

            Assert.True(owner.WaitForExit(Deadline));
            Assert.Equal(128 + Posix.SIGKILL, owner.ExitCode);
        }
        finally
        {
            KillIfRunning(owner);
        }
    }

    [Fact]
    public async Task AReusedPid_IsNeverSignalled()
    {
        using var other = Start(Holding("exec sleep 60"));
        try
        {
            await WaitUntilSleepingAsync(other);
            var actual = LockOwnerOf(other);

            Assert.False(await new StaleGatewayTerminator(NullLogger.Instance, Deadline).TerminateLockOwnerAsync(actual with { StartTime = actual.StartTime + 1 }, LockFile));
            Assert.False(await new StaleGatewayTerminator(NullLogger.Instance, Deadline).TerminateLockOwnerAsync(null, LockFile));

            Assert.Equal(ProcessMatch.Same, ProcessIdentity.Check(actual.Pid, actual.StartTime));
        }
        finally
        {
            KillIfRunning(other);
        }
    }

    [Fact]
    public async Task ALiveProcessThatDoesNotHoldTheLock_IsNeverSignalled()
    {
        File.WriteAllText(LockFile, "");
        using var other = Start("exec sleep 60");
        try
        {
            await WaitUntilSleepingAsync(other);
            var named = LockOwnerOf(other);

            Assert.False(await new StaleGatewayTerminator(NullLogger.Instance, Deadline).TerminateLockOwnerAsync(named, LockFile));

            Assert.Equal(ProcessMatch.Same, ProcessIdentity.Check(named.Pid, named.StartTime));
        }
        finally
        {
            KillIfRunning(other);
        }
    }

    private static Process Start(string script)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        return Process.Start(start)!;
    }

    /// <summary>The shell has set its traps and become <c>sleep</c>: a signal now meets the disposition the test set.</summary>
    private static Task WaitUntilSleepingAsync(Process process) =>
        Eventually.AssertAsync(() => ProcessIdentity.CommandLine(process.Id) == "sleep 60", Deadline, "the shell to exec sleep");

    private static void KillIfRunning(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(Deadline);
        }
    }

    private static LockOwner LockOwnerOf(Process process) =>
        new(process.Id, ProcessIdentity.Of(process.Id)!.StartTime, 0, "127.0.0.1", "test", DateTimeOffset.UtcNow);
}

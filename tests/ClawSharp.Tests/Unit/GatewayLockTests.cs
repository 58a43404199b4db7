using System.Diagnostics;
using System.Text.Json;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClawSharp.Tests.Unit;

public sealed class GatewayLockTests : IDisposable
{
    private readonly TempHome home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task Acquire_RecordsThisProcess_AndASecondAttemptSeesItHeld()
    {
        var first = Assert.IsType<LockAttempt.Acquired>(GatewayLock.TryAcquire(home.State.LockFile, 0, "127.0.0.1", "none", NullLogger.Instance));
        using (first.Lock)
        {
            first.Lock.RecordPort(4321);

            var second = Assert.IsType<LockAttempt.Held>(GatewayLock.TryAcquire(home.State.LockFile, 0, "127.0.0.1", "none", NullLogger.Instance));

            Assert.Equal(Environment.ProcessId, second.Owner!.Pid);
            Assert.Equal(4321, second.Owner.Port);
            Assert.Equal(ProcessIdentity.Current.StartTime, second.Owner.StartTime);
        }
        Assert.Null(GatewayLock.ReadOwner(home.State.LockFile));
        // A process another test starts at this moment shares the released description until its exec
        // (GatewayClaimLockTests): the lock is free again within milliseconds, not necessarily at once.
        LockAttempt? again = null;
        await Eventually.AssertAsync(() => (again = GatewayLock.TryAcquire(home.State.LockFile, 0, "127.0.0.1", "none", NullLogger.Instance)) is LockAttempt.Acquired,
            TimeSpan.FromSeconds(10), "the released lock to be free again");
        ((LockAttempt.Acquired)again!).Lock.Dispose();
    }

    [Fact]
    public void ReadOwner_OfAMissingOrCorruptFile_IsNull()
    {
        Assert.Null(GatewayLock.ReadOwner(home.State.LockFile));
        File.WriteAllText(home.State.LockFile, "garbage");
        Assert.Null(GatewayLock.ReadOwner(home.State.LockFile));
    }

    [Fact]
    public void ProcessIdentity_TellsSameReusedAndDead()
    {
        var me = ProcessIdentity.Current;
        Assert.Equal(ProcessMatch.Same, ProcessIdentity.Check(me.Pid, me.StartTime));
        Assert.Equal(ProcessMatch.Reused, ProcessIdentity.Check(me.Pid, me.StartTime + 1));

        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        exited.WaitForExit();
        Assert.Equal(ProcessMatch.Dead, ProcessIdentity.Check(exited.Id, 1));
    }

    [Fact]
    public void LockFile_IsPrivate_AndHoldsJson()
    {
        var attempt = Assert.IsType<LockAttempt.Acquired>(GatewayLock.TryAcquire(home.State.LockFile, 9, "127.0.0.1", "none", NullLogger.Instance));
        using var _ = attempt.Lock;

        Assert.Equal(AtomicFile.PrivateFileMode, File.GetUnixFileMode(home.State.LockFile));
        using var json = JsonDocument.Parse(File.ReadAllText(home.State.LockFile));
        Assert.Equal(Environment.ProcessId, json.RootElement.GetProperty("pid").GetInt32());
    }

    [Fact]
    public void TheLock_RecordsItsManager_AndALockWrittenBeforeManagersStillReads()
    {
        var attempt = Assert.IsType<LockAttempt.Acquired>(
            GatewayLock.TryAcquire(home.State.LockFile, 9, "127.0.0.1", LockOwner.ManagerName(ClawSharp.Gateway.ServiceManagers.SupervisorKind.Systemd), NullLogger.Instance));
        using (attempt.Lock)
        {
            Assert.Equal("systemd", GatewayLock.ReadOwner(home.State.LockFile)!.Manager);
        }

        File.WriteAllText(home.State.LockFile,
            """{ "pid": 42, "startTime": 7, "port": 4321, "bind": "127.0.0.1", "version": "0.1.0", "acquiredAt": "2026-01-01T00:00:00+00:00" }""");

        Assert.Equal(new LockOwner(42, 7, 4321, "127.0.0.1", "0.1.0", DateTimeOffset.Parse("2026-01-01T00:00:00+00:00", System.Globalization.CultureInfo.InvariantCulture)),
            GatewayLock.ReadOwner(home.State.LockFile));
    }

    [Theory]
    [InlineData(nameof(ClawSharp.Gateway.ServiceManagers.SupervisorKind.None), "none")]
    [InlineData(nameof(ClawSharp.Gateway.ServiceManagers.SupervisorKind.Builtin), "builtin")]
    [InlineData(nameof(ClawSharp.Gateway.ServiceManagers.SupervisorKind.Systemd), "systemd")]
    [InlineData(nameof(ClawSharp.Gateway.ServiceManagers.SupervisorKind.Launchd), "launchd")]
    [InlineData(nameof(ClawSharp.Gateway.ServiceManagers.SupervisorKind.Windows), "windows")]
    public void TheManagerName_IsTheValueOfClawSharpSupervisor(string kind, string expected)
    {
        Assert.Equal(expected, LockOwner.ManagerName(Enum.Parse<ClawSharp.Gateway.ServiceManagers.SupervisorKind>(kind)));
    }
}

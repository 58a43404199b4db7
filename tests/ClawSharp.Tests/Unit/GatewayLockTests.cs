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
    public void Acquire_RecordsThisProcess_AndASecondAttemptSeesItHeld()
    {
        var first = Assert.IsType<LockAttempt.Acquired>(GatewayLock.TryAcquire(home.State.LockFile, 0, "127.0.0.1", NullLogger.Instance));
        using (first.Lock)
        {
            first.Lock.RecordPort(4321);

            var second = Assert.IsType<LockAttempt.Held>(GatewayLock.TryAcquire(home.State.LockFile, 0, "127.0.0.1", NullLogger.Instance));

            Assert.Equal(Environment.ProcessId, second.Owner!.Pid);
            Assert.Equal(4321, second.Owner.Port);
            Assert.Equal(ProcessIdentity.Current.StartTime, second.Owner.StartTime);
        }
        Assert.Null(GatewayLock.ReadOwner(home.State.LockFile));
        var again = Assert.IsType<LockAttempt.Acquired>(GatewayLock.TryAcquire(home.State.LockFile, 0, "127.0.0.1", NullLogger.Instance));
        again.Lock.Dispose();
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
        var attempt = Assert.IsType<LockAttempt.Acquired>(GatewayLock.TryAcquire(home.State.LockFile, 9, "127.0.0.1", NullLogger.Instance));
        using var _ = attempt.Lock;

        Assert.Equal(AtomicFile.PrivateFileMode, File.GetUnixFileMode(home.State.LockFile));
        using var json = JsonDocument.Parse(File.ReadAllText(home.State.LockFile));
        Assert.Equal(Environment.ProcessId, json.RootElement.GetProperty("pid").GetInt32());
    }
}

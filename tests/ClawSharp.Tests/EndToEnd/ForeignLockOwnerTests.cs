using System.Diagnostics;
using System.Text.Json;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// Issue 21 item 9: a gateway.lock written by hand (or copied) that names a live process with the
/// right start time does not get that process signalled: it must hold the lock.
/// </summary>
public sealed class ForeignLockOwnerTests
{
    [Fact]
    public async Task StopRestartAndForcedStart_NeverSignalAProcessThatDoesNotHoldTheLock_AndSayWhy()
    {
        using var home = new TempHome();
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            var identity = ProcessIdentity.Of(sleeper.Id)!;
            File.WriteAllText(home.State.LockFile, JsonSerializer.Serialize(
                new LockOwner(sleeper.Id, identity.StartTime, 1, "127.0.0.1", "0.0.0", DateTimeOffset.UtcNow), ClaimJsonContext.Default.LockOwner));

            var stop = await CliRun.RunAsync(home, "gateway", "stop");
            var restart = await CliRun.RunAsync(home, "gateway", "restart");
            var start = await CliRun.RunAsync(home, "gateway", "start", "--force", "--port", "0");

            var expected = $"gateway.lock names pid {sleeper.Id} (sleep), which does not hold the lock: not signalling it; remove the stale file with 'rm {home.State.LockFile}'";
            Assert.NotEqual(0, stop.ExitCode);
            Assert.Contains(expected, stop.Stderr + stop.Stdout);
            Assert.NotEqual(0, restart.ExitCode);
            Assert.Contains(expected, restart.Stderr + restart.Stdout);
            Assert.NotEqual(0, start.ExitCode);
            Assert.Contains(expected, start.Stderr + start.Stdout);
            Assert.False(sleeper.HasExited, "the process the lock named was signalled");
            var status = await CliRun.RunAsync(home, "gateway", "status");
            Assert.Contains("does not hold the lock", status.Stdout + status.Stderr);
        }
        finally
        {
            if (!sleeper.HasExited)
            {
                sleeper.Kill();
            }
            await CliRun.RunAsync(home, "gateway", "stop");
        }
    }

    [Fact]
    public async Task TheRealOwner_HoldsTheLock_AndIsStopped()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        Assert.Equal(LockHolding.Holds, LockHolders.Check(gateway.Pid, home.State.LockFile));
        Assert.Equal(LockHolding.DoesNotHold, LockHolders.Check(Environment.ProcessId, home.State.LockFile));
        var stop = await CliRun.RunAsync(home, "gateway", "stop");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal(0, await gateway.WaitForExitAsync());
    }
}

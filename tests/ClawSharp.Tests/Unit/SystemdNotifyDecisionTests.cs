using ClawSharp.Gateway;
using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.ServiceManagers;
using ClawSharp.Tests.Fakes;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

/// <summary>What the run loop tells systemd, in order, over fake generations and a scripted clock.</summary>
public sealed class SystemdNotifyDecisionTests
{
    private static readonly TimeSpan Deadline = RunLoopHarness.Deadline;

    [Fact]
    public async Task UnderSystemd_ARestartIsInProcess_BetweenReloadingAndReady_AndAStopSaysStopping()
    {
        var notifier = new FakeSystemdNotifier();
        // Respawns allowed: under systemd the loop must still restart in process, never spawn or exit 75.
        await using var h = new RunLoopHarness(SupervisorKind.Systemd, noRespawn: false, notifier: notifier);
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);
        h.Signal("SIGUSR1");
        await h.WaitForAsync("gen2 Ready");
        await h.WaitForStateAsync(GatewayRunState.Running);
        h.Signal("SIGTERM");

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal(2, h.Starter.StartCount);
        Assert.Empty(h.Exits);
        Assert.Equal(
            [
                "READY=1", "STATUS=serving on 127.0.0.1:18789",
                "RELOADING=1", "MONOTONIC_USEC", "STATUS=restart scheduled", "STATUS=restarting",
                "READY=1", "STATUS=serving on 127.0.0.1:18789",
                "STOPPING=1", "STATUS=stopping", "STATUS=stopping: closing",
            ],
            notifier.Lines.Where(l => !l.StartsWith("STATUS=draining", StringComparison.Ordinal))
                .Select(l => l.StartsWith("MONOTONIC_USEC=", StringComparison.Ordinal) ? "MONOTONIC_USEC" : l));
    }

    [Fact]
    public async Task TheWatchdogPings_ComeFromTheLoop_EveryHalfOfWatchdogUsec()
    {
        var notifier = new FakeSystemdNotifier();
        await using var h = new RunLoopHarness(SupervisorKind.Systemd, notifier: notifier,
            environment: new Dictionary<string, string> { ["WATCHDOG_USEC"] = "2000000" });
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);
        var before = notifier.Lines.Count(l => l == "WATCHDOG=1");

        await Eventually.AssertAsync(() =>
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            return notifier.Lines.Count(l => l == "WATCHDOG=1") >= before + 3;
        }, Deadline, "three more WATCHDOG=1 pings, one per second of the scripted clock");
    }

    [Fact]
    public async Task WithAWatchdogPidOfAnotherProcess_NoPingIsSent()
    {
        var notifier = new FakeSystemdNotifier();
        await using var h = new RunLoopHarness(SupervisorKind.Systemd, notifier: notifier,
            environment: new Dictionary<string, string> { ["WATCHDOG_USEC"] = "2000000", ["WATCHDOG_PID"] = "1" });
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);

        for (var second = 0; second < 5; second++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }
        h.Signal("SIGTERM");

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.DoesNotContain("WATCHDOG=1", notifier.Lines);
    }
}

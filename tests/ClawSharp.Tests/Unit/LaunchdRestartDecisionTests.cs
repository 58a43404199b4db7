using ClawSharp.Gateway;
using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.Respawn;
using ClawSharp.Gateway.ServiceManagers;
using ClawSharp.Tests.Fakes;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// A restart under launchd, through the run loop's real command channel over a fake
/// <c>launchctl kickstart -k</c>: the kickstart comes only after the server has closed (and the
/// lock is released), success exits 75, failure restarts in process and says why.
/// </summary>
public sealed class LaunchdRestartDecisionTests
{
    private static readonly TimeSpan Deadline = RunLoopHarness.Deadline;

    [Fact]
    public async Task UnderLaunchd_ARestartKickstartsTheJobOnceClosed_AndExits75()
    {
        await using var h = new RunLoopHarness(SupervisorKind.Launchd, noRespawn: false);
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);

        var decision = await h.RequestAsync(force: true);

        Assert.Equal(ExitCode.Restart, await h.Run.WaitAsync(Deadline));
        Assert.Equal("launchd", decision!.Info.Mode);
        Assert.Equal(
            ["start 1", "Starting -> Running", "gen1 Ready", "Running -> Scheduled", "Scheduled -> Restarting", "gen1 Close(restart)", "Kickstart", "Restarting -> Stopped"],
            h.Transcript.Entries);
        Assert.Contains(h.Logger.Lines, l => l.Contains("launchctl kickstart -k gui/501/ai.clawsharp.gateway.test", StringComparison.Ordinal));
        Assert.Equal(0, h.Respawner.RespawnCount);
    }

    [Fact]
    public async Task UnderLaunchd_AFailedKickstart_RestartsInProcess_AndLogsWhy()
    {
        await using var h = new RunLoopHarness(SupervisorKind.Launchd, noRespawn: false);
        h.Kickstarter.Result = KickstartResult.Failed("gui/501/ai.clawsharp.gateway.test", "launchctl exited 113: Could not find service");
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);

        h.Signal("SIGUSR1");
        await h.WaitForAsync("gen2 Ready");
        h.Signal("SIGTERM");

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal(
            [
                "start 1", "Starting -> Running", "gen1 Ready", "Running -> Scheduled", "Scheduled -> Draining", "gen1 BeginDraining", "gen1 Drain",
                "Draining -> Restarting", "gen1 Close(restart)", "Kickstart", "Restarting -> Starting", "start 2", "Starting -> Running", "gen2 Ready",
                "Running -> Closing", "gen2 Close(stop)", "Closing -> Stopped",
            ],
            h.Transcript.Entries);
        Assert.Contains(h.Logger.Lines, l => l.Contains(
            "launchctl kickstart -k gui/501/ai.clawsharp.gateway.test failed (launchctl exited 113: Could not find service); restarting in process", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnderLaunchd_ItsSigtermArrivingBeforeLaunchctlAnswers_IsTheKickstart_AndExits75()
    {
        await using var h = new RunLoopHarness(SupervisorKind.Launchd, noRespawn: false);
        h.Kickstarter.HoldNext = true;
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);

        await h.RequestAsync(force: true);
        await Eventually.AssertAsync(() => h.Kickstarter.KickstartCount == 1, Deadline, "the kickstart");
        h.Signal("SIGTERM");

        Assert.Equal(ExitCode.Restart, await h.Run.WaitAsync(Deadline));
        Assert.Equal(
            ["start 1", "Starting -> Running", "gen1 Ready", "Running -> Scheduled", "Scheduled -> Restarting", "gen1 Close(restart)", "Kickstart", "Restarting -> Stopped"],
            h.Transcript.Entries);
        Assert.Equal(1, h.Starter.StartCount);
    }

    [Fact]
    public async Task WithoutAServiceName_TheKickstarterRunsNothing_AndSaysWhy()
    {
        var kickstarter = new LaunchdKickstarter(_ => null, () => "gui/501", program: "/nonexistent/launchctl");

        var result = await kickstarter.KickstartAsync(CancellationToken.None);

        Assert.Equal((false, ""), (result.Succeeded, result.Target));
        Assert.Contains("CLAWSHARP_SERVICE_NAME is not set", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingLaunchctl_IsAFailure_NotAnException()
    {
        var kickstarter = new LaunchdKickstarter(_ => "ai.clawsharp.gateway", () => "gui/501", program: "/nonexistent/launchctl");

        var result = await kickstarter.KickstartAsync(CancellationToken.None);

        Assert.Equal((false, "gui/501/ai.clawsharp.gateway"), (result.Succeeded, result.Target));
        Assert.Contains("cannot run /nonexistent/launchctl", result.Detail, StringComparison.Ordinal);
    }
}

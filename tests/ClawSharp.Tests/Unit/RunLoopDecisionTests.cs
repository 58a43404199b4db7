using ClawSharp.Gateway;
using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.Restart;
using ClawSharp.Gateway.ServiceManagers;
using ClawSharp.Tests.Fakes;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// The run loop's decisions, driven through its real command channel over fake generations and
/// a scripted clock: each test drives one situation and compares the whole transcript (state
/// changes and calls on the generations, in order) and the exit code.
/// </summary>
public sealed class RunLoopDecisionTests
{
    private static readonly TimeSpan Deadline = RunLoopHarness.Deadline;

    [Fact]
    public async Task StopDuringTheDrain_AbandonsTheRestart_AndStopsTheServingGenerationOnce()
    {
        await using var h = new RunLoopHarness();
        h.Starter.ActiveRunsOfNext = 1;
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);

        var decision = await h.RequestAsync();
        await h.WaitForAsync("gen1 Drain");
        h.Signal("SIGTERM");

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal("deferred", decision!.Status);
        Assert.Equal(
            [
                "start 1", "Starting -> Running", "gen1 Ready",
                "Running -> Scheduled", "Scheduled -> Draining", "gen1 BeginDraining", "gen1 Drain",
                "gen1 DrainCancelled", "Draining -> Closing", "gen1 Close(stop)", "Closing -> Stopped",
            ],
            h.Transcript.Entries);
        Assert.Equal(1, h.Starter.StartCount);
    }

    [Fact]
    public async Task ARestartDuringTheCooldown_WaitsItOut_AndARequestMeanwhileJoinsIt()
    {
        await using var h = new RunLoopHarness();
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);
        h.Signal("SIGUSR1");
        await h.WaitForAsync("gen2 Ready");
        var requestedAt = h.Time.GetUtcNow();

        var second = await h.RequestAsync("second");
        var third = await h.RequestAsync("third");
        Assert.Equal(GatewayRunState.Scheduled, h.Loop.State);
        Assert.Equal(0, h.Starter.Generations[1].CloseCount);
        // The cooldown runs on the scripted clock: step it until the restart goes ahead.
        await Eventually.AssertAsync(() =>
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            return h.Transcript.Contains("gen3 Ready");
        }, Deadline, "the restart after the cooldown");
        h.Signal("SIGTERM");

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal(("scheduled", 30_000L, false), (second!.Status, second.Info.DelayMs, second.Info.Coalesced));
        Assert.Equal(("coalesced", "second", true), (third!.Status, third.Info.Reason, third.Info.Coalesced));
        Assert.True(h.Starter.Generations[1].ClosedAt - requestedAt >= TimeSpan.FromSeconds(30), "the second restart waited out the 30 s cooldown");
        Assert.Equal(
            [
                "start 1", "Starting -> Running", "gen1 Ready",
                "Running -> Scheduled", "Scheduled -> Draining", "gen1 BeginDraining", "gen1 Drain",
                "Draining -> Restarting", "gen1 Close(restart)", "Restarting -> Starting", "start 2", "Starting -> Running", "gen2 Ready",
                "Running -> Scheduled", "Scheduled -> Draining", "gen2 BeginDraining", "gen2 Drain",
                "Draining -> Restarting", "gen2 Close(restart)", "Restarting -> Starting", "start 3", "Starting -> Running", "gen3 Ready",
                "Running -> Closing", "gen3 Close(stop)", "Closing -> Stopped",
            ],
            h.Transcript.Entries);
    }

    [Fact]
    public async Task SecondRestartsWhileOneIsPending_JoinIt_AndOneRestartHappens()
    {
        await using var h = new RunLoopHarness();
        h.Starter.ActiveRunsOfNext = 1;
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);

        var first = await h.RequestAsync("first");
        await h.WaitForAsync("gen1 Drain");
        var second = await h.RequestAsync("second");
        h.Signal("SIGUSR1");
        await h.WaitForLogAsync("restart from SIGUSR1 joined the restart already pending");
        h.Starter.ActiveRunsOfNext = 0;
        h.Starter.Generations[0].FinishWork();
        await h.WaitForAsync("gen2 Ready");
        h.Signal("SIGTERM");

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal(("deferred", false), (first!.Status, first.Info.Coalesced));
        Assert.Equal(("coalesced", "first", true), (second!.Status, second.Info.Reason, second.Info.Coalesced));
        Assert.Equal(2, h.Starter.StartCount);
        Assert.Equal(
            [
                "start 1", "Starting -> Running", "gen1 Ready",
                "Running -> Scheduled", "Scheduled -> Draining", "gen1 BeginDraining", "gen1 Drain",
                "Draining -> Restarting", "gen1 Close(restart)", "Restarting -> Starting", "start 2", "Starting -> Running", "gen2 Ready",
                "Running -> Closing", "gen2 Close(stop)", "Closing -> Stopped",
            ],
            h.Transcript.Entries);
    }

    [Fact]
    public async Task AStartThatFailsAfterAnInProcessRestart_StaysAliveWithoutThePort_AndTheNextRestartRecovers()
    {
        await using var h = new RunLoopHarness();
        h.Starter.FailingStarts.Add(2);
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);

        h.Signal("SIGUSR1");
        await h.WaitForStateAsync(GatewayRunState.StartFailed);
        Assert.False(h.Run.IsCompleted);
        Assert.Empty(h.Exits);
        Assert.True(File.Exists(h.State.RestartingFile), "restarting.json keeps naming the process that failed to restart");
        h.Signal("SIGUSR1");
        await h.WaitForAsync("gen2 Ready");
        Assert.False(File.Exists(h.State.RestartingFile));
        h.Signal("SIGTERM");

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal(1, h.Starter.ReleaseListenerCount);
        Assert.Equal(
            [
                "start 1", "Starting -> Running", "gen1 Ready",
                "Running -> Scheduled", "Scheduled -> Draining", "gen1 BeginDraining", "gen1 Drain",
                "Draining -> Restarting", "gen1 Close(restart)", "Restarting -> Starting", "start 2", "start 2 failed",
                "Starting -> StartFailed", "ReleaseListener",
                "StartFailed -> Restarting", "Restarting -> Starting", "start 3", "Starting -> Running", "gen2 Ready",
                "Running -> Closing", "gen2 Close(stop)", "Closing -> Stopped",
            ],
            h.Transcript.Entries);
    }

    [Fact]
    public async Task AStopWhileStarting_IsCarriedOutOnceTheStartEnds()
    {
        await using var h = new RunLoopHarness();
        var hold = h.Starter.HoldNextStart();
        h.Start();
        await h.WaitForAsync("start 1");

        h.Signal("SIGTERM");
        await h.WaitForLogAsync("stop from SIGTERM: UpgradeToStop");
        hold.SetResult();

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal(["start 1", "Starting -> Running", "gen1 Ready", "Running -> Closing", "gen1 Close(stop)", "Closing -> Stopped"], h.Transcript.Entries);
    }

    [Fact]
    public async Task UnderTheBuiltInSupervisor_AForcedRestartClosesWithoutDraining_AndExits75()
    {
        await using var h = new RunLoopHarness(SupervisorKind.Builtin, noRespawn: false);
        h.Starter.ActiveRunsOfNext = 1;
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);

        var decision = await h.RequestAsync(force: true);

        Assert.Equal(ExitCode.Restart, await h.Run.WaitAsync(Deadline));
        Assert.Equal(("scheduled", "supervised"), (decision!.Status, decision.Info.Mode));
        Assert.Equal(0, h.Respawner.RespawnCount);
        Assert.Equal(
            ["start 1", "Starting -> Running", "gen1 Ready", "Running -> Scheduled", "Scheduled -> Restarting", "gen1 Close(restart)", "Restarting -> Stopped"],
            h.Transcript.Entries);
    }

    [Fact]
    public async Task Unsupervised_ARestartHandsOverToAReadyFreshProcess_AndExitsZero()
    {
        await using var h = new RunLoopHarness(SupervisorKind.None, noRespawn: false);
        h.Respawner.Result = new ClawSharp.Gateway.Respawn.RespawnResult.Ready(4242, TimeSpan.FromMilliseconds(20));
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);

        h.Signal("SIGUSR1");

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal(
            [
                "start 1", "Starting -> Running", "gen1 Ready", "Running -> Scheduled", "Scheduled -> Draining", "gen1 BeginDraining", "gen1 Drain",
                "Draining -> Restarting", "gen1 Close(restart)", "Respawn", "Restarting -> Stopped",
            ],
            h.Transcript.Entries);
        Assert.Contains(h.Logger.Lines, l => l.Contains("state Restarting -> Stopped (pid 4242 took over)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AStopWhileARestartFromAFailedStartWaitsForItsFreshProcess_CancelsItAndExitsZero()
    {
        await using var h = new RunLoopHarness(SupervisorKind.None, noRespawn: false);
        h.Starter.FailingStarts.Add(2);
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);
        h.Signal("SIGUSR1");
        await h.WaitForStateAsync(GatewayRunState.StartFailed);

        h.Respawner.HoldNext = true;
        h.Signal("SIGUSR1");
        await Eventually.AssertAsync(() => h.Respawner.RespawnCount == 2, Deadline, "the second respawn");
        h.Signal("SIGTERM");

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal(
            [
                "start 1", "Starting -> Running", "gen1 Ready",
                "Running -> Scheduled", "Scheduled -> Draining", "gen1 BeginDraining", "gen1 Drain",
                "Draining -> Restarting", "gen1 Close(restart)", "Respawn", "Restarting -> Starting", "start 2", "start 2 failed",
                "Starting -> StartFailed", "ReleaseListener",
                "StartFailed -> Restarting", "Respawn", "RespawnCancelled", "Restarting -> Stopped",
            ],
            h.Transcript.Entries);
    }

    [Fact]
    public async Task ARestartAskedWhileTheGatewayFirstStarts_FollowsOnceItServes()
    {
        await using var h = new RunLoopHarness();
        var hold = h.Starter.HoldNextStart();
        h.Start();
        await h.WaitForAsync("start 1");

        h.Signal("SIGUSR1");
        await h.WaitForLogAsync("restart from SIGUSR1: Coalesce");
        hold.SetResult();
        await h.WaitForAsync("gen2 Ready");

        Assert.Equal(
            [
                "start 1", "Starting -> Running", "gen1 Ready",
                "Running -> Scheduled", "Scheduled -> Draining", "gen1 BeginDraining", "gen1 Drain",
                "Draining -> Restarting", "gen1 Close(restart)", "Restarting -> Starting", "start 2", "Starting -> Running", "gen2 Ready",
            ],
            h.Transcript.Entries);
    }

    [Fact]
    public async Task ARestartWhoseWorkCannotBeCounted_IsRefusedWithTheReason_AndTheGatewayKeepsServing()
    {
        await using var h = new RunLoopHarness();
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);
        h.Starter.Generations[0].PreflightFails = true;

        var (decision, refusal) = await h.SubmitAsync();

        Assert.Null(decision);
        Assert.Contains("counting the active work failed (fake: the store cannot be read)", refusal, StringComparison.Ordinal);
        Assert.Equal(GatewayRunState.Running, h.Loop.State);
        h.Starter.Generations[0].PreflightFails = false;
        Assert.Equal("scheduled", (await h.RequestAsync())!.Status);
        await h.WaitForAsync("gen2 Ready");
    }

    [Fact]
    public async Task AForcedRequestDuringTheDrain_EscalatesThePendingRestart_WhichHappensAtOnce()
    {
        await using var h = new RunLoopHarness();
        h.Starter.ActiveRunsOfNext = 1;
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);
        var safe = await h.RequestAsync("safe");
        await h.WaitForAsync("gen1 Drain");

        h.Starter.ActiveRunsOfNext = 0;
        var forced = await h.RequestAsync("force", force: true);
        await h.WaitForAsync("gen2 Ready");

        Assert.Equal(("deferred", "coalesced", "force"), (safe!.Status, forced!.Status, forced.Info.Escalated));
        Assert.Equal(
            [
                "start 1", "Starting -> Running", "gen1 Ready",
                "Running -> Scheduled", "Scheduled -> Draining", "gen1 BeginDraining", "gen1 Drain", "gen1 DrainCancelled",
                "Draining -> Restarting", "gen1 Close(restart)", "Restarting -> Starting", "start 2", "Starting -> Running", "gen2 Ready",
            ],
            h.Transcript.Entries);
        Assert.Contains(h.Logger.Lines, l => l.Contains("state Draining -> Restarting (forced restart requested by rpc)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACappedRequestDuringTheDrain_ShortensIt_ButALongerCapNeverLengthensIt()
    {
        await using var h = new RunLoopHarness();
        h.Starter.ActiveRunsOfNext = 1;
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);
        await h.RequestAsync("safe");
        await h.WaitForAsync("gen1 Drain");
        var cappedAt = h.Time.GetUtcNow();

        var capped = await h.RequestAsync("cap", waitMs: 3_000);
        var longer = await h.RequestAsync("longer", waitMs: 60_000);
        h.Starter.ActiveRunsOfNext = 0;
        await Eventually.AssertAsync(() =>
        {
            h.Time.Advance(TimeSpan.FromMilliseconds(500));
            return h.Transcript.Contains("gen2 Ready");
        }, Deadline, "the capped drain to end");

        Assert.Equal(("wait", (string?)null), (capped!.Info.Escalated, longer!.Info.Escalated));
        var closedAfter = h.Starter.Generations[0].ClosedAt - cappedAt;
        Assert.True(closedAfter >= TimeSpan.FromSeconds(3) && closedAfter < TimeSpan.FromSeconds(5), $"closed {closedAfter} after the 3 s cap");
        Assert.Contains(h.Logger.Lines, l => l.Contains("state Draining -> Restarting (drain capped)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARequestMadeBeforeTheServingGenerationStarted_IsAnsweredCoalesced_AndRestartsNothing()
    {
        await using var h = new RunLoopHarness();
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);
        var askedAt = h.Time.GetUtcNow();
        h.Time.Advance(TimeSpan.FromSeconds(1));
        h.Signal("SIGUSR1");
        await h.WaitForAsync("gen2 Ready");

        var late = await h.SubmitAsync(new RestartAsk("rpc", "late", false, false, null, null) { RequestedAt = askedAt });
        var stale = await h.SubmitAsync(new RestartAsk("rpc", "stale", false, false, null, null) { IfBootId = "gen1" });

        Assert.Equal(("coalesced", "gen2"), (late.Decision!.Status, late.Decision.Info.SatisfiedBy!.BootId));
        Assert.Equal(("coalesced", "gen2"), (stale.Decision!.Status, stale.Decision.Info.SatisfiedBy!.BootId));
        Assert.Equal(GatewayRunState.Running, h.Loop.State);
        Assert.Equal(2, h.Starter.StartCount);
    }

    [Fact]
    public async Task ARestartWhoseNextStartWouldFail_IsRefusedBeforeItDrains_AndTheGatewayKeepsServing()
    {
        await using var h = new RunLoopHarness();
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);
        h.Starter.NextStartFails = "config.json: gateway.port must be a number from 0 to 65535";

        var refused = await h.SubmitAsync(new RestartAsk("rpc", "force", false, false, true, null));

        Assert.Null(refused.Decision);
        Assert.Equal("restart refused: the next start would fail: config.json: gateway.port must be a number from 0 to 65535; the gateway keeps serving", refused.Refusal);
        Assert.Equal(GatewayRunState.Running, h.Loop.State);
        Assert.Equal(["start 1", "Starting -> Running", "gen1 Ready"], h.Transcript.Entries);
    }
}

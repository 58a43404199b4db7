using ClawSharp.Gateway;
using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Tests.Fakes;

namespace ClawSharp.Tests.Unit;

/// <summary>The stop's drain, driven through the real loop over fake generations and a scripted clock.</summary>
public sealed class StopDrainDecisionTests
{
    private static readonly TimeSpan Deadline = RunLoopHarness.Deadline;

    [Fact]
    public async Task AStop_RefusesNewWork_WaitsForTheActiveWork_ThenCloses()
    {
        await using var h = new RunLoopHarness(stopDrain: TimeSpan.FromSeconds(10));
        h.Starter.ActiveRunsOfNext = 1;
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);

        h.Signal("SIGTERM");
        await h.WaitForAsync("gen1 Drain(stop)");
        Assert.Equal((GatewayRunState.Closing, 0), (h.Loop.State, h.Starter.Generations[0].CloseCount));
        h.Starter.Generations[0].FinishWork();

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal(
            [
                "start 1", "Starting -> Running", "gen1 Ready",
                "Running -> Closing", "gen1 BeginDraining", "gen1 Drain(stop)", "gen1 Close(stop)", "Closing -> Stopped",
            ],
            h.Transcript.Entries);
    }

    [Fact]
    public async Task ASecondStopSignal_CutsTheStopDrainShort_AndSaysSo()
    {
        await using var h = new RunLoopHarness(stopDrain: TimeSpan.FromSeconds(10));
        h.Starter.ActiveRunsOfNext = 1;
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);
        h.Signal("SIGTERM");
        await h.WaitForAsync("gen1 Drain(stop)");

        h.Signal("SIGINT");

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal(
            [
                "start 1", "Starting -> Running", "gen1 Ready",
                "Running -> Closing", "gen1 BeginDraining", "gen1 Drain(stop)", "gen1 DrainCancelled", "gen1 Close(stop)", "Closing -> Stopped",
            ],
            h.Transcript.Entries);
        Assert.Contains(h.Logger.Lines, l => l.Contains("stop: the drain was cut short by SIGINT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheStopDrain_EndsWithItsBudget()
    {
        await using var h = new RunLoopHarness(stopDrain: TimeSpan.FromSeconds(10));
        h.Starter.ActiveRunsOfNext = 1;
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);
        h.Signal("SIGTERM");
        await h.WaitForAsync("gen1 Drain(stop)");

        h.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, h.Starter.Generations[0].CloseCount);
        h.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal(["gen1 Drain(stop)", "gen1 DrainBudgetSpent", "gen1 Close(stop)", "Closing -> Stopped"], h.Transcript.Entries.TakeLast(4));
    }

    [Fact]
    public async Task ANoughtDrainBudget_ClosesAtOnce()
    {
        await using var h = new RunLoopHarness(stopDrain: TimeSpan.Zero);
        h.Starter.ActiveRunsOfNext = 1;
        h.Start();
        await h.WaitForStateAsync(GatewayRunState.Running);

        h.Signal("SIGTERM");

        Assert.Equal(ExitCode.Success, await h.Run.WaitAsync(Deadline));
        Assert.Equal(["start 1", "Starting -> Running", "gen1 Ready", "Running -> Closing", "gen1 Close(stop)", "Closing -> Stopped"], h.Transcript.Entries);
    }
}

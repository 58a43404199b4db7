using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Tests.Unit;

public sealed class ShutdownBudgetTests
{
    [Fact]
    public void Defaults_AreDerivedFromTheOptions()
    {
        var budget = new ShutdownBudget(new ShutdownOptions());

        Assert.Equal(TimeSpan.FromSeconds(10), budget.StopDrain);
        Assert.Equal(TimeSpan.FromSeconds(25), budget.Close);
        Assert.Equal(TimeSpan.FromSeconds(35), budget.Stop);
        Assert.Equal(TimeSpan.FromSeconds(40), budget.SupervisorKillAfter);
        Assert.Equal(TimeSpan.FromSeconds(35), budget.ChildStop);
        Assert.Equal(TimeSpan.FromSeconds(45), budget.OperatorStop);
    }

    [Fact]
    public void GatewayStop_WaitsLongerThanTheSupervisor_SoTheSupervisorKillsFirst()
    {
        var budget = new ShutdownBudget(new ShutdownOptions { StopTimeout = TimeSpan.FromSeconds(2), DrainTimeout = TimeSpan.FromSeconds(3) });

        Assert.True(budget.OperatorStop > budget.SupervisorKillAfter);
    }

    [Fact]
    public void TheStopDrain_IsPartOfEveryWaitOnAStop_AndZeroLeavesOnlyTheClose()
    {
        var drained = new ShutdownBudget(new ShutdownOptions { StopTimeout = TimeSpan.FromSeconds(2), DrainTimeout = TimeSpan.FromSeconds(3) });
        var cut = new ShutdownBudget(new ShutdownOptions { StopTimeout = TimeSpan.FromSeconds(2), DrainTimeout = TimeSpan.Zero });

        Assert.Equal(TimeSpan.FromSeconds(10), drained.SupervisorKillAfter);
        Assert.Equal(TimeSpan.FromSeconds(5), drained.ChildStop);
        Assert.Equal(TimeSpan.FromSeconds(7), cut.SupervisorKillAfter);
        Assert.Equal(TimeSpan.FromSeconds(2), cut.ChildStop);
    }

    [Fact]
    public void TheSupervisorWaitsLongerThanTheGatewaysOwnWatchdog_SoTheBundleIsWrittenBeforeAKill()
    {
        var budget = new ShutdownBudget(new ShutdownOptions { StopTimeout = TimeSpan.FromMilliseconds(1500), DrainTimeout = TimeSpan.Zero });

        Assert.Equal(TimeSpan.FromMilliseconds(6500), budget.SupervisorKillAfter);
        Assert.True(budget.SupervisorKillAfter > budget.Close);
    }

    [Theory]
    [InlineData(true, null, 0L)]
    [InlineData(true, 5000L, 0L)]
    [InlineData(false, 1500L, 1500L)]
    [InlineData(false, null, 300_000L)]
    [InlineData(false, 0L, -1L)]
    public void Drain_IsNoneWhenForced_TheCapWhenGiven_ElseTheDeferralTimeout(bool force, long? waitMs, long expectedMs)
    {
        var expected = expectedMs < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(expectedMs);

        Assert.Equal(expected, ShutdownBudget.Drain(new RestartOptions(), force, waitMs));
    }
}

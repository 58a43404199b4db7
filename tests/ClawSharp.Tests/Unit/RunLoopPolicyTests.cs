using ClawSharp.Gateway.Lifecycle;

namespace ClawSharp.Tests.Unit;

public sealed class RunLoopPolicyTests
{
    public static TheoryData<GatewayRunState, string, bool, LoopAction> Edges => new()
    {
        { GatewayRunState.Running, "stop", true, LoopAction.Stop },
        { GatewayRunState.Running, "restart", true, LoopAction.Restart },
        { GatewayRunState.Running, "restart", false, LoopAction.Ignore },
        { GatewayRunState.StartFailed, "stop", true, LoopAction.Stop },
        { GatewayRunState.StartFailed, "restart", true, LoopAction.Restart },
        { GatewayRunState.StartFailed, "restart", false, LoopAction.Ignore },
        { GatewayRunState.Scheduled, "stop", true, LoopAction.Stop },
        { GatewayRunState.Scheduled, "restart", true, LoopAction.Coalesce },
        { GatewayRunState.Draining, "stop", true, LoopAction.Stop },
        { GatewayRunState.Draining, "restart", true, LoopAction.Coalesce },
        { GatewayRunState.Restarting, "restart", true, LoopAction.Coalesce },
        { GatewayRunState.Restarting, "stop", true, LoopAction.UpgradeToStop },
        { GatewayRunState.Closing, "stop", true, LoopAction.CutStopDrain },
        { GatewayRunState.Closing, "restart", true, LoopAction.Ignore },
        { GatewayRunState.Stopped, "stop", true, LoopAction.Ignore },
        { GatewayRunState.Stopped, "restart", true, LoopAction.Ignore },
        { GatewayRunState.Starting, "stop", true, LoopAction.UpgradeToStop },
        { GatewayRunState.Starting, "restart", true, LoopAction.Coalesce },
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public void Decide_CoversEveryStateAndCommand(GatewayRunState state, string command, bool restartsEnabled, LoopAction expected)
    {
        RunLoopCommand cmd = command == "stop"
            ? new RunLoopCommand.StopRequested("test")
            : RunLoopCommand.RestartRequested.Signal("test");

        Assert.Equal(expected, RunLoopPolicy.Decide(state, cmd, restartsEnabled).Action);
    }

    [Fact]
    public void WhileARestartWaitsOutItsCooldown_ASecondRestartJoinsIt_AndIsLoggedSo()
    {
        var decision = RunLoopPolicy.Decide(GatewayRunState.Scheduled, RunLoopCommand.RestartRequested.Signal("test"), restartsEnabled: true);

        Assert.Equal(new LoopDecision(LoopAction.Coalesce, "a restart is already in flight (waiting out its cooldown)"), decision);
    }

    [Fact]
    public void EdgeTable_CoversEveryState()
    {
        var covered = Edges.Select(row => (GatewayRunState)row[0]).ToHashSet();
        Assert.Equal(Enum.GetValues<GatewayRunState>().ToHashSet(), covered);
    }

    [Theory]
    [InlineData(GatewayRunState.Starting, GatewayRunState.Running, true)]
    [InlineData(GatewayRunState.Running, GatewayRunState.Scheduled, true)]
    [InlineData(GatewayRunState.Scheduled, GatewayRunState.Draining, true)]
    [InlineData(GatewayRunState.Scheduled, GatewayRunState.Restarting, true)]
    [InlineData(GatewayRunState.Running, GatewayRunState.Restarting, false)]
    [InlineData(GatewayRunState.Running, GatewayRunState.Draining, false)]
    [InlineData(GatewayRunState.Restarting, GatewayRunState.Starting, true)]
    [InlineData(GatewayRunState.Starting, GatewayRunState.StartFailed, true)]
    [InlineData(GatewayRunState.StartFailed, GatewayRunState.Restarting, true)]
    [InlineData(GatewayRunState.StartFailed, GatewayRunState.Starting, false)]
    [InlineData(GatewayRunState.Closing, GatewayRunState.Stopped, true)]
    [InlineData(GatewayRunState.Stopped, GatewayRunState.Starting, false)]
    [InlineData(GatewayRunState.Closing, GatewayRunState.Running, false)]
    [InlineData(GatewayRunState.Running, GatewayRunState.Starting, false)]
    [InlineData(GatewayRunState.StartFailed, GatewayRunState.Running, false)]
    public void Transitions_AreCheckedAgainstTheTable(GatewayRunState from, GatewayRunState to, bool legal)
    {
        Assert.Equal(legal, RunStateTransitions.IsLegal(from, to));
    }
}

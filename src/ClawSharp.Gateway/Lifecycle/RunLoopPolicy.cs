namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// The one switch on (state, command): pure, so every pair is tested. A signal during a
/// stop is ignored; a stop during a restart wins once the close is done; a restart during
/// a restart joins it.
/// </summary>
public static class RunLoopPolicy
{
    public static LoopDecision Decide(GatewayRunState state, RunLoopCommand command, bool restartsEnabled) =>
        (state, command) switch
        {
            (GatewayRunState.Running or GatewayRunState.StartFailed or GatewayRunState.Draining, RunLoopCommand.StopRequested) =>
                new(LoopAction.Stop, "stop requested"),
            (GatewayRunState.Running or GatewayRunState.StartFailed, RunLoopCommand.RestartRequested) when !restartsEnabled =>
                new(LoopAction.Ignore, "restarts are disabled (commands.restart is false)"),
            (GatewayRunState.Running or GatewayRunState.StartFailed, RunLoopCommand.RestartRequested) =>
                new(LoopAction.Restart, "restart requested"),
            (GatewayRunState.Draining or GatewayRunState.Restarting, RunLoopCommand.RestartRequested) =>
                new(LoopAction.Coalesce, "a restart is already in flight"),
            (GatewayRunState.Restarting, RunLoopCommand.StopRequested) =>
                new(LoopAction.UpgradeToStop, "stop requested during a restart: exiting once closed"),
            (GatewayRunState.Closing or GatewayRunState.Stopped, _) =>
                new(LoopAction.Ignore, "already shutting down"),
            (GatewayRunState.Starting, _) =>
                new(LoopAction.Ignore, "still starting"),
            _ => new(LoopAction.Ignore, "not applicable"),
        };

    /// <summary>
    /// <see cref="Decide"/> for a command that arrives while a restart is already under way
    /// but the state still says Running (the restart waits out its cooldown): a second
    /// restart joins the first, and is logged so.
    /// </summary>
    public static LoopDecision DecideWhileRestartPending(GatewayRunState state, RunLoopCommand command, bool restartsEnabled) =>
        Decide(state, command, restartsEnabled) is { Action: LoopAction.Restart }
            ? new(LoopAction.Coalesce, "a restart is already in flight (waiting out its cooldown)")
            : Decide(state, command, restartsEnabled);
}

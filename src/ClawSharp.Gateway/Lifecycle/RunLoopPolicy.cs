namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// The one switch on (state, command): pure, so every pair is tested. The loop reads commands
/// in every state, so nothing waits unread: a stop while starting or restarting is carried out
/// once that step can end; a restart while one is in flight joins it; a second stop during a
/// stop cuts the stop's drain short; anything else during a stop is ignored.
/// </summary>
internal static class RunLoopPolicy
{
    public static LoopDecision Decide(GatewayRunState state, RunLoopCommand command, bool restartsEnabled) =>
        (state, command) switch
        {
            (GatewayRunState.Running or GatewayRunState.StartFailed, RunLoopCommand.StopRequested) =>
                new(LoopAction.Stop, "stop requested"),
            (GatewayRunState.Scheduled or GatewayRunState.Draining, RunLoopCommand.StopRequested) =>
                new(LoopAction.Stop, "stop requested: the pending restart is abandoned"),
            (GatewayRunState.Restarting, RunLoopCommand.StopRequested) =>
                new(LoopAction.UpgradeToStop, "stop requested during a restart: exiting once closed"),
            (GatewayRunState.Starting, RunLoopCommand.StopRequested) =>
                new(LoopAction.UpgradeToStop, "stop requested while starting: stopping once started"),
            (GatewayRunState.Running or GatewayRunState.StartFailed, RunLoopCommand.RestartRequested) when !restartsEnabled =>
                new(LoopAction.Ignore, "restarts are disabled (commands.restart is false)"),
            (GatewayRunState.Running or GatewayRunState.StartFailed, RunLoopCommand.RestartRequested) =>
                new(LoopAction.Restart, "restart requested"),
            (GatewayRunState.Scheduled, RunLoopCommand.RestartRequested) =>
                new(LoopAction.Coalesce, "a restart is already in flight (waiting out its cooldown)"),
            (GatewayRunState.Draining or GatewayRunState.Restarting, RunLoopCommand.RestartRequested) =>
                new(LoopAction.Coalesce, "a restart is already in flight"),
            (GatewayRunState.Starting, RunLoopCommand.RestartRequested) =>
                new(LoopAction.Coalesce, "still starting: the generation being started is the restart"),
            (GatewayRunState.Closing, RunLoopCommand.StopRequested) =>
                new(LoopAction.CutStopDrain, "stop requested again: the stop's drain is cut short (nothing changes once the close has begun)"),
            (GatewayRunState.Closing or GatewayRunState.Stopped, _) =>
                new(LoopAction.Ignore, "already shutting down"),
            _ => new(LoopAction.Ignore, "not applicable"),
        };
}

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>The legal edges of <see cref="GatewayRunState"/>. Any other edge is a bug.</summary>
internal static class RunStateTransitions
{
    private static readonly HashSet<(GatewayRunState From, GatewayRunState To)> Legal =
    [
        (GatewayRunState.Starting, GatewayRunState.Running),
        (GatewayRunState.Starting, GatewayRunState.StartFailed),
        (GatewayRunState.Starting, GatewayRunState.Stopped),
        (GatewayRunState.Running, GatewayRunState.Scheduled),
        (GatewayRunState.Running, GatewayRunState.Closing),
        (GatewayRunState.Scheduled, GatewayRunState.Draining),
        (GatewayRunState.Scheduled, GatewayRunState.Restarting),
        (GatewayRunState.Scheduled, GatewayRunState.Closing),
        (GatewayRunState.Draining, GatewayRunState.Restarting),
        (GatewayRunState.Draining, GatewayRunState.Closing),
        (GatewayRunState.Restarting, GatewayRunState.Starting),
        (GatewayRunState.Restarting, GatewayRunState.Stopped),
        (GatewayRunState.StartFailed, GatewayRunState.Restarting),
        (GatewayRunState.StartFailed, GatewayRunState.Stopped),
        (GatewayRunState.Closing, GatewayRunState.Stopped),
    ];

    public static bool IsLegal(GatewayRunState from, GatewayRunState to) => Legal.Contains((from, to));
}

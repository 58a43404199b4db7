using ClawSharp.Daemon;

namespace ClawSharp.Control.Managers;

/// <summary>Detection: which <see cref="IGatewayManager"/> runs (or starts) the gateway of a state directory. Pure.</summary>
internal static class GatewayManagers
{
    /// <summary>The manager that runs the gateway now: the built-in supervisor when one is alive, else none (the gateway alone).</summary>
    public static IGatewayManager For(DaemonSnapshot snapshot) =>
        snapshot.Supervisor is not null ? BuiltinSupervisorManager.Instance : UnmanagedGateway.Instance;

    /// <summary>The manager <c>gateway start</c> uses: the built-in supervisor (service managers, once installed, come first).</summary>
    public static IGatewayManager ForStart() => BuiltinSupervisorManager.Instance;
}

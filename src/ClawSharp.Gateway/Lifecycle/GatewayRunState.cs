namespace ClawSharp.Gateway.Lifecycle;

/// <summary>The run loop's one state. Only <see cref="GatewayRunLoop"/> writes it, through <see cref="RunStateTransitions"/>.</summary>
public enum GatewayRunState
{
    /// <summary>Taking the lock, binding, starting the server.</summary>
    Starting,

    /// <summary>Serving; /readyz is 200.</summary>
    Running,

    /// <summary>A restart is waiting for active work (the safe-restart issue fills this in).</summary>
    Draining,

    /// <summary>Stopping for good: closing connections and the server.</summary>
    Closing,

    /// <summary>Closing the server to start it again.</summary>
    Restarting,

    /// <summary>A start after an in-process restart failed: alive, lock released, waiting for SIGUSR1 or a stop.</summary>
    StartFailed,

    /// <summary>Done; the process exits.</summary>
    Stopped,
}

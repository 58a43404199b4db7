namespace ClawSharp.Gateway.Lifecycle;

/// <summary>The run loop's one state. Only <see cref="GatewayRunLoop"/> writes it, through <see cref="RunStateTransitions"/>.</summary>
// Public, unlike the other types: xunit theories (public methods) take it as a parameter.
public enum GatewayRunState
{
    /// <summary>Taking the lock, binding, starting the server.</summary>
    Starting,

    /// <summary>Serving; /readyz is 200.</summary>
    Running,

    /// <summary>A restart is decided and waits out its cooldown; still serving. A second request joins it.</summary>
    Scheduled,

    /// <summary>A restart waits for active work: new work is refused, /readyz is 503.</summary>
    Draining,

    /// <summary>Stopping for good: the stop's drain (new work refused, /readyz 503), then closing connections and the server.</summary>
    Closing,

    /// <summary>Closing the server to start it again, then carrying out the restart mode.</summary>
    Restarting,

    /// <summary>A start after an in-process restart failed: alive, lock released, waiting for SIGUSR1 or a stop.</summary>
    StartFailed,

    /// <summary>Done; the process exits.</summary>
    Stopped,
}

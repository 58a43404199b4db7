namespace ClawSharp.Gateway.Lifecycle;

/// <summary>What signal and RPC handlers ask of the run loop. They only write these to its channel.</summary>
public abstract record RunLoopCommand(string Source)
{
    /// <summary>Stop for good (SIGTERM, SIGINT, Ctrl+C, a service manager).</summary>
    public sealed record StopRequested(string Source) : RunLoopCommand(Source);

    /// <summary>Close and start again. <paramref name="Outcome"/>, when given, receives the answer.</summary>
    public sealed record RestartRequested(string Source, string Reason, TaskCompletionSource<RestartOutcome>? Outcome = null)
        : RunLoopCommand(Source)
    {
        /// <summary>Decided by the restart coordinator (RPC); null for a bare signal, which the loop resolves itself.</summary>
        public Restart.RestartPlan? Plan { get; init; }

        /// <summary>The restart intent that came with the signal, if any.</summary>
        public Restart.RestartIntent? Intent { get; init; }
    }
}

/// <summary>The answer to a <see cref="RunLoopCommand.RestartRequested"/>.</summary>
public enum RestartOutcome
{
    /// <summary>The gateway closed and is serving again.</summary>
    Restarted,

    /// <summary>Not carried out: restarts are disabled, or the gateway is already stopping.</summary>
    Ignored,

    /// <summary>Joined a restart already in flight.</summary>
    Coalesced,

    /// <summary>The new start failed; the process waits for the next request.</summary>
    StartFailed,

    /// <summary>A stop overtook the restart.</summary>
    Stopped,

    /// <summary>The server closed and the process exits 75 so that its supervisor starts a fresh one.</summary>
    HandedToSupervisor,

    /// <summary>A fresh process (fresh-PID respawn) owns the lock and serves; this one exits 0.</summary>
    HandedToChild,
}

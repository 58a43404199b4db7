namespace ClawSharp.Gateway.Lifecycle;

/// <summary>How a restart ended, as the <see cref="RestartSequence"/> reports it to the loop.</summary>
internal enum RestartOutcome
{
    /// <summary>A new generation serves in this process.</summary>
    Restarted,

    /// <summary>The new start failed; the process waits for the next request with the lock and the port released.</summary>
    StartFailed,

    /// <summary>A stop arrived before the server closed: the old generation still serves, and the loop stops it.</summary>
    Abandoned,

    /// <summary>A stop arrived once the server was closing or closed (or the fresh copy was stopped): nothing serves.</summary>
    Stopped,

    /// <summary>The server closed and the process exits 75 so that its supervisor starts a fresh one.</summary>
    HandedToSupervisor,

    /// <summary>A fresh process (fresh-PID respawn) owns the lock and serves; this one exits 0.</summary>
    HandedToChild,
}

namespace ClawSharp.Gateway;

/// <summary>
/// The one exit-code contract shared by the gateway, the CLI and every supervisor
/// (built-in, systemd, launchd, Windows, containers). See ARCHITECTURE.md §3 and §6.
/// </summary>
// Public, unlike the other types: xunit theories (public methods) take it as a parameter.
public enum ExitCode
{
    /// <summary>Stopped on request or command done: do not restart.</summary>
    Success = 0,

    /// <summary>Failure or watchdog expiry: a supervisor restarts with backoff.</summary>
    Failure = 1,

    /// <summary>CLI usage error: bad flag, duration or combination.</summary>
    Usage = 2,

    /// <summary><c>gateway status</c>: not running (LSB).</summary>
    NotRunning = 3,

    /// <summary>EX_TEMPFAIL: restart me now; not a crash.</summary>
    Restart = 75,

    /// <summary>EX_CONFIG: bad configuration, or a supervised duplicate whose owner is healthy. Do not restart until fixed.</summary>
    Config = 78,
}

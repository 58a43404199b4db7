namespace ClawSharp.Gateway.Hosting;

/// <summary>How the process comes back after a restart closed its server (ARCHITECTURE.md §3).</summary>
public enum RestartMode
{
    /// <summary>Start a fresh server generation in this process (same PID).</summary>
    InProcess,

    /// <summary>Exit 75 (EX_TEMPFAIL): the supervisor (built-in, systemd, Windows) starts a fresh process at once.</summary>
    SupervisedExit,

    /// <summary>Ask launchd (<c>kickstart -k</c>), then exit; in process when that fails.</summary>
    LaunchdKickstart,

    /// <summary>Unsupervised: spawn a fresh detached copy with the same arguments, then exit.</summary>
    Spawn,
}

/// <summary>The one place that decides the restart mode. Pure: it spawns nothing.</summary>
public static class RestartModeSelector
{
    public const string NoRespawnVariable = "CLAWSHARP_NO_RESPAWN";

    public static RestartMode Select(Func<string, string?> getEnvironment, SupervisorKind supervisor) =>
        (getEnvironment(NoRespawnVariable) is "1" or "true", supervisor) switch
        {
            (true, _) => RestartMode.InProcess,
            (_, SupervisorKind.Builtin or SupervisorKind.Systemd or SupervisorKind.Windows) => RestartMode.SupervisedExit,
            (_, SupervisorKind.Launchd) => RestartMode.LaunchdKickstart,
            _ => RestartMode.Spawn,
        };
}

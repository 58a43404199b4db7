using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>The one place that decides the restart mode. Pure: it spawns nothing.</summary>
internal static class RestartModeSelector
{
    public const string NoRespawnVariable = "CLAWSHARP_NO_RESPAWN";

    /// <summary>The restart reason (RPC <c>reason</c>, intent <c>reason</c>) that marks an update restart.</summary>
    public const string UpdateReason = "update";

    /// <param name="getEnvironment">Reads an environment variable.</param>
    /// <param name="supervisor">Who supervises this process.</param>
    /// <param name="reason">The restart's reason; <see cref="UpdateReason"/> makes it an update restart.</param>
    /// <param name="canSpawn">Whether this platform can respawn (the POSIX hand-over); Windows restarts in process.</param>
    /// <param name="startedUnder">Who supervised this process when it started: a built-in supervisor that is gone now is replaced.</param>
    public static RestartMode Select(Func<string, string?> getEnvironment, SupervisorKind supervisor, string? reason = null, bool? canSpawn = null,
        SupervisorKind startedUnder = SupervisorKind.None) =>
        (getEnvironment(NoRespawnVariable) is "1" or "true", supervisor, IsUpdate(reason)) switch
        {
            (true, _, _) => RestartMode.InProcess,
            (_, SupervisorKind.None, _) when !(canSpawn ?? !OperatingSystem.IsWindows()) => RestartMode.InProcess,
            (_, SupervisorKind.None, _) when startedUnder == SupervisorKind.Builtin => RestartMode.SpawnSupervisor,
            // systemd counts every start against StartLimitBurst, exits 75 included: a deliberate
            // restart keeps the PID (RELOADING=1 … READY=1 around it), so only crashes count.
            (_, SupervisorKind.Systemd, _) => RestartMode.InProcess,
            (_, SupervisorKind.Builtin or SupervisorKind.Windows, _) => RestartMode.SupervisedExit,
            (_, SupervisorKind.Launchd, _) => RestartMode.LaunchdKickstart,
            (_, _, true) => RestartMode.SpawnForUpdate,
            _ => RestartMode.Spawn,
        };

    /// <summary>The mode's name in the <c>restart.mode</c> field of <c>gateway.restart.request</c>.</summary>
    public static string WireName(RestartMode mode) => mode switch
    {
        RestartMode.InProcess => "in-process",
        RestartMode.SupervisedExit => "supervised",
        RestartMode.LaunchdKickstart => "launchd",
        _ => "spawn",
    };

    /// <summary>True for a restart whose reason is <c>update</c> (case and surrounding blanks ignored).</summary>
    public static bool IsUpdate(string? reason) =>
        string.Equals(reason?.Trim(), UpdateReason, StringComparison.OrdinalIgnoreCase);
}

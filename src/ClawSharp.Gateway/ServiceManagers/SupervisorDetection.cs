namespace ClawSharp.Gateway.ServiceManagers;

internal static class SupervisorDetection
{
    public const string EnvironmentVariable = "CLAWSHARP_SUPERVISOR";

    /// <summary>Set by every service definition to its unit name, launchd label or Windows service name, so that the gateway can name (and kickstart) its own job.</summary>
    public const string ServiceNameVariable = "CLAWSHARP_SERVICE_NAME";

    /// <summary>Set by the built-in supervisor to its own PID, so its child can tell when it has died.</summary>
    public const string SupervisorPidVariable = "CLAWSHARP_SUPERVISOR_PID";

    /// <param name="getEnvironment">Reads an environment variable.</param>
    /// <param name="parentPid">This process's parent now: a built-in supervisor that is not our parent any more has died.</param>
    public static SupervisorKind Detect(Func<string, string?> getEnvironment, int? parentPid = null)
    {
        var kind = Named(getEnvironment);
        if (kind == SupervisorKind.Builtin && parentPid is { } parent
            && int.TryParse(getEnvironment(SupervisorPidVariable), out var supervisorPid) && supervisorPid != parent)
        {
            return SupervisorKind.None;
        }
        return kind;
    }

    private static SupervisorKind Named(Func<string, string?> getEnvironment) =>
        getEnvironment(EnvironmentVariable)?.Trim().ToLowerInvariant() switch
        {
            null or "" => SupervisorKind.None,
            "builtin" => SupervisorKind.Builtin,
            "systemd" => SupervisorKind.Systemd,
            "launchd" => SupervisorKind.Launchd,
            "windows" => SupervisorKind.Windows,
            // An unknown value still means somebody supervises us: do not fight it with exit loops.
            _ => SupervisorKind.Builtin,
        };
}

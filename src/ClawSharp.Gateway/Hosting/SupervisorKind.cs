namespace ClawSharp.Gateway.Hosting;

/// <summary>Who restarts this gateway, from <c>CLAWSHARP_SUPERVISOR</c> (ARCHITECTURE.md §1). The one place that reads it.</summary>
public enum SupervisorKind
{
    /// <summary>Unset: the gateway restarts itself.</summary>
    None,
    Builtin,
    Systemd,
    Launchd,
    Windows,
}

public static class SupervisorDetection
{
    public const string EnvironmentVariable = "CLAWSHARP_SUPERVISOR";

    public static SupervisorKind Detect(Func<string, string?> getEnvironment) =>
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

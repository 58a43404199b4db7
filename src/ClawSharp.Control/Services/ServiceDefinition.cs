using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Services;

/// <summary>
/// Everything a platform needs to write and register the gateway's service, decided once by
/// <see cref="ServiceDefinitionBuilder"/> so that every platform renders the same facts.
/// Holds no secret: secrets only ever go to <see cref="EnvironmentFile"/>, written owner-only.
/// </summary>
/// <param name="Platform">The service manager.</param>
/// <param name="Scope">User or system service.</param>
/// <param name="Name">The unit's base name (<c>clawsharp-gateway</c>), the launchd label (<c>ai.clawsharp.gateway</c>) or the Windows service name.</param>
/// <param name="State">The gateway's state directory.</param>
/// <param name="Command">The program and its arguments: <c>[clawsharp, gateway, run, --home, …]</c> (or <c>[dotnet, clawsharp.dll, …]</c>).</param>
/// <param name="Environment">Variables the definition sets in the open (never a secret): the supervisor marker, the service name, the stop timeout.</param>
/// <param name="EnvironmentFile">The owner-only file the secrets go to (<c>KEY=VALUE</c> lines).</param>
/// <param name="Secrets">Variables to write into <see cref="EnvironmentFile"/> (e.g. the agent's API key, taken from the installer's environment).</param>
/// <param name="BindAddress">The address the socket (systemd) listens on.</param>
/// <param name="Port">The port the socket listens on.</param>
/// <param name="StopTimeout">How long the manager waits after SIGTERM before SIGKILL: never shorter than the gateway's own stop drain and close budgets.</param>
/// <param name="RestartDelay">The wait before the manager restarts a crashed gateway (the built-in supervisor's first backoff).</param>
/// <param name="StartLimitBurst">How many starts the manager allows in <see cref="StartLimitInterval"/>: the crash-storm limit plus the first start.</param>
/// <param name="StartLimitInterval">The crash-storm window.</param>
/// <param name="Watchdog">The manager's watchdog interval; the gateway pings at half of it.</param>
/// <param name="User">The account a system service runs as (null: the manager's default).</param>
internal sealed record ServiceDefinition(
    ServicePlatform Platform,
    ServiceScope Scope,
    string Name,
    StateDirectory State,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Environment,
    string EnvironmentFile,
    IReadOnlyDictionary<string, string> Secrets,
    string BindAddress,
    int Port,
    TimeSpan StopTimeout,
    TimeSpan RestartDelay,
    int StartLimitBurst,
    TimeSpan StartLimitInterval,
    TimeSpan Watchdog,
    string? User)
{
    /// <summary>The supervisor marker every service definition sets (ARCHITECTURE.md §1).</summary>
    public const string SupervisorVariable = Gateway.ServiceManagers.SupervisorDetection.EnvironmentVariable;

    /// <summary>The unit name, launchd label or Windows service name, handed to the gateway so it can name (and kickstart) its own job.</summary>
    public const string ServiceNameVariable = Gateway.ServiceManagers.SupervisorDetection.ServiceNameVariable;

    /// <summary>The manager's SIGTERM → SIGKILL wait in seconds, so the gateway knows when to ask systemd for more time during a long drain.</summary>
    public const string StopTimeoutVariable = "CLAWSHARP_STOP_TIMEOUT_SEC";

    /// <summary>Names the owner-only environment file the gateway loads itself (launchd, Windows; systemd reads it natively).</summary>
    public const string EnvironmentFileVariable = "CLAWSHARP_ENV_FILE";

    /// <summary>The log files the definition points the manager's own output at (launchd's StandardOutPath/StandardErrorPath).</summary>
    public string ServiceLogFile => ServiceLogFileOf(State);

    /// <summary><c>logs/service.log</c> of a state directory: what a manager that writes files (launchd) kept of the gateway's output.</summary>
    public static string ServiceLogFileOf(StateDirectory state) => Path.Combine(state.LogsDirectory, "service.log");
}

using System.Globalization;
using ClawSharp.Control.Managers;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.Services;

/// <summary>
/// Decides a <see cref="ServiceDefinition"/> from the state directory, its configuration and
/// the install flags: one place for the numbers every platform shares (stop timeout from the
/// shutdown budgets, restart delay and start limit from the crash policy).
/// </summary>
internal static class ServiceDefinitionBuilder
{
    /// <summary>systemd's watchdog: generous enough for a loaded Raspberry Pi, short enough that a wedged gateway is back within a minute.</summary>
    public static readonly TimeSpan DefaultWatchdog = TimeSpan.FromSeconds(30);

    /// <param name="platform">The service manager.</param>
    /// <param name="scope">User or system.</param>
    /// <param name="state">The state directory.</param>
    /// <param name="config">Its configuration, with the install flags applied.</param>
    /// <param name="overrides">The install flags (<c>--port</c>, <c>--bind</c>): they go into the command line, so the service keeps them.</param>
    /// <param name="self">This program's command: <c>[clawsharp]</c> or <c>[dotnet, clawsharp.dll]</c>.</param>
    /// <param name="userHome">The user's home directory (for the service's name).</param>
    /// <param name="getEnvironment">The installer's environment, where the agent's API key may be.</param>
    /// <param name="user">The account a system service runs as.</param>
    public static ServiceDefinition Build(ServicePlatform platform, ServiceScope scope, StateDirectory state, GatewayConfig config,
        ConfigOverrides overrides, IReadOnlyList<string> self, string userHome, Func<string, string?> getEnvironment, string? user)
    {
        var name = ServiceNames.For(platform, state, userHome);
        var command = self.Concat(LaunchArguments.For(["gateway", "run"], state, overrides)).ToList();
        var stopTimeout = RoundUpToSeconds(new ShutdownBudget(config.Shutdown).SupervisorKillAfter);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ServiceDefinition.SupervisorVariable] = platform.ToString().ToLowerInvariant(),
            [ServiceDefinition.ServiceNameVariable] = name,
            ["CLAWSHARP_HOME"] = state.Root,
        };
        var environmentFile = Path.Combine(state.Root, "service.env");
        if (platform == ServicePlatform.Systemd)
        {
            environment[ServiceDefinition.StopTimeoutVariable] = ((int)stopTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            // systemd reads EnvironmentFile= itself; elsewhere the gateway loads the file.
            environment[ServiceDefinition.EnvironmentFileVariable] = environmentFile;
        }
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        if (getEnvironment(config.Agents.OpenAiApiKeyEnv) is { Length: > 0 } apiKey)
        {
            secrets[config.Agents.OpenAiApiKeyEnv] = apiKey;
        }
        return new ServiceDefinition(platform, scope, name, state, command, environment, environmentFile, secrets,
            config.Gateway.Bind.ToString(), config.Gateway.Port, stopTimeout, config.Daemon.InitialBackoff,
            StartLimitBurst: config.Daemon.CrashLimit + 1, config.Daemon.CrashWindow, DefaultWatchdog, user);
    }

    /// <summary>This program as a command a service manager can run: the native binary, or the dotnet host and the entry assembly.</summary>
    public static IReadOnlyList<string> SelfCommandLine()
    {
        var info = SelfCommand.StartInfo([]);
        return [Path.GetFullPath(info.FileName), .. info.ArgumentList.Select(Path.GetFullPath)];
    }

    private static TimeSpan RoundUpToSeconds(TimeSpan value) => TimeSpan.FromSeconds(Math.Ceiling(value.TotalSeconds));
}

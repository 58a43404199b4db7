using System.CommandLine;
using ClawSharp.Cli.Options;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.Logging;
using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Cli.Commands;

/// <summary><c>clawsharp gateway run</c>: the gateway in the foreground.</summary>
internal static class GatewayRunCommand
{
    private static readonly Option<int?> Port = CliOptions.Port($"Port to listen on (default {GatewayOptions.DefaultPort}; 0 = any free port)");
    private static readonly Option<System.Net.IPAddress?> Bind = CliOptions.Bind();
    private static readonly Option<AuthMode?> Auth = CliOptions.Auth();

    private static readonly Option<string?> Token = new("--token")
    {
        Description = "Token for this run (wins over the token file, which is not rewritten). For one-off runs and tests",
        HelpName = "TOKEN",
    };

    private static readonly Option<string?> PasswordFile = new("--password-file")
    {
        Description = "Read the auth password from FILE (implies --auth password). Never pass a password on the command line",
        HelpName = "FILE",
    };

    private static readonly Option<bool> Force = new("--force")
    {
        Description = "Stop a stale gateway that holds this state directory or the port, then start",
    };

    public static Command Build()
    {
        var command = new Command("run", "Run the gateway in the foreground (SIGTERM/Ctrl+C stop it, SIGUSR1 restarts it: in process, or with a fresh PID when unsupervised).")
        {
            Port, Bind, Auth, Token, PasswordFile, Force,
        };
        command.SetAction((parse, _) => RunAsync(parse));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse)
    {
        // First, before anything can start a child process: the hand-over variables of a
        // fresh-PID respawn are read once and removed, so exec agents never inherit them.
        var spawned = SpawnOrigin.TakeFromProcessEnvironment();
        if (spawned is { Respawned: true })
        {
            SpawnOrigin.Detach();
        }
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        try
        {
            state.EnsureCreated();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CliOutput.Fail(ExitCode.Failure, $"cannot create the state directory {state.Root}: {e.Message}");
        }
        if (SupervisorDetection.Detect(Environment.GetEnvironmentVariable) == SupervisorKind.Builtin && !OperatingSystem.IsWindows())
        {
            // The supervisor ends this group after this process exits, however it exits: no agent or task outlives its gateway.
            Posix.LeadOwnProcessGroup();
        }
        // Exec agents and tasks inherit it: a 'clawsharp' they run reaches this gateway, whatever flags started it.
        Environment.SetEnvironmentVariable("CLAWSHARP_HOME", state.Root);

        var overrides = new ConfigOverrides
        {
            Port = parse.GetValue(Port),
            Bind = parse.GetValue(Bind),
            AuthMode = parse.GetValue(Auth),
            Token = parse.GetValue(Token),
            PasswordFile = parse.GetValue(PasswordFile),
        };
        GatewayConfig config;
        try
        {
            config = ConfigLoader.Load(state, overrides);
        }
        catch (ConfigException e)
        {
            return CliOutput.Fail(ExitCode.Config, e.Message);
        }

        using var logging = GatewayLogging.Create(state, config.Logs, Console.Error);
        var settings = new GatewayRunSettings(
            state,
            overrides,
            // A respawned gateway repeats its parent's arguments, but --force must never make it
            // stop the parent that is waiting for it.
            parse.GetValue(Force) && spawned is null,
            SupervisorDetection.Detect(Environment.GetEnvironmentVariable),
            GatewayFaults.Parse(Environment.GetEnvironmentVariable(GatewayFaults.EnvironmentVariable)),
            TimeProvider.System,
            spawned);
        await using var loop = new GatewayRunLoop(settings, logging);
        using var signals = new SignalListener(loop.Commands);
        return (int)await loop.RunAsync(config, CancellationToken.None).ConfigureAwait(false);
    }
}

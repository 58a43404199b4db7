using System.CommandLine;
using ClawSharp.Cli.Options;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Lifecycle;

namespace ClawSharp.Cli.Commands;

/// <summary><c>clawsharp gateway run</c>: the gateway in the foreground.</summary>
internal static class GatewayRunCommand
{
    private static readonly Option<int?> Port = CliOptions.Port($"Port to listen on (default {GatewayOptions.DefaultPort}; 0 = any free port)");
    private static readonly Option<System.Net.IPAddress?> Bind = CliOptions.Bind();
    private static readonly Option<AuthMode?> Auth = CliOptions.Auth();

    private static readonly Option<string?> Token = new("--token")
    {
        Description = "Token for this run (wins over the token file, which is not rewritten). Shows in 'ps': for one-off runs and tests; prefer --token-file or CLAWSHARP_TOKEN",
        HelpName = "TOKEN",
    };

    private static readonly Option<string?> TokenFile = new("--token-file")
    {
        Description = "Read this run's token from FILE (yours, mode 600); CLAWSHARP_TOKEN in the environment does the same without a file",
        HelpName = "FILE",
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
            Port, Bind, Auth, Token, TokenFile, PasswordFile, Force,
        };
        command.SetAction((parse, _) => RunAsync(parse));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        var token = parse.GetValue(Token);
        var tokenFile = parse.GetValue(TokenFile);
        if (token is not null && tokenFile is not null)
        {
            return CliOutput.Fail(ExitCode.Usage, "--token and --token-file both name a token: give one");
        }
        if (token is not null)
        {
            Console.Error.WriteLine(TokenArguments.CommandLineWarning);
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(TokenArguments.EnvironmentVariable);
        var overrides = new ConfigOverrides
        {
            Port = parse.GetValue(Port),
            Bind = parse.GetValue(Bind),
            AuthMode = parse.GetValue(Auth),
            Token = token ?? (tokenFile is null && !string.IsNullOrEmpty(fromEnvironment) ? fromEnvironment.Trim() : null),
            TokenFile = tokenFile is null ? null : Path.GetFullPath(tokenFile),
            PasswordFile = parse.GetValue(PasswordFile),
        };
        var (code, error) = await GatewayProcessRunner.RunAsync(state, overrides, parse.GetValue(Force)).ConfigureAwait(false);
        return error is null ? (int)code : CliOutput.Fail(code, error);
    }
}

using System.CommandLine;
using ClawSharp.Cli.Options;
using ClawSharp.Control.Services;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway install</c>: writes the service definition for this machine's service
/// manager (systemd units, a launchd agent, a Windows service), registers it for boot or login,
/// starts it and waits until its gateway is ready (<see cref="ServiceSetup.InstallAsync"/>).
/// Exit 0 installed; 1 a definition exists (without <c>--force</c>) or a step failed; 78 bad config.
/// </summary>
internal static class GatewayInstallCommand
{
    private static readonly Option<bool> User = new("--user") { Description = "Install a service of your own user's manager (the default)" };
    private static readonly Option<bool> System = new("--system") { Description = "Install a system service (needs root)" };
    private static readonly Option<int?> Port = CliOptions.Port($"Port the service listens on (default gateway.port of the config, {GatewayOptions.DefaultPort})");
    private static readonly Option<System.Net.IPAddress?> Bind = CliOptions.Bind();
    private static readonly Option<string?> TokenFile = new("--token-file")
    {
        Description = "The service reads its token from FILE (the service user's, mode 600); its path goes into the service definition, never the token",
        HelpName = "FILE",
    };

    private static readonly Option<bool> Force = new("--force") { Description = "Replace a service definition that exists already" };
    private static readonly Option<TimeSpan?> Timeout = CliOptions.Duration("--timeout", "How long to wait for the service's gateway to be ready (default 30s)");
    private static readonly Option<bool> Json = new("--json") { Description = "Print the result as JSON alone on stdout" };

    public static Command Build()
    {
        var command = new Command("install", "Install the gateway as a service (systemd, launchd or Windows), enable it and start it.")
        {
            User, System, Port, Bind, TokenFile, Force, Timeout, Json,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(User) && result.GetValue(System))
            {
                result.AddError("--user and --system cannot be combined; pass one of them");
            }
        });
        command.SetAction((parse, ct) => InstallAsync(parse, ct));
        return command;
    }

    private static async Task<int> InstallAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        var request = new ServiceInstallRequest(state, parse.GetValue(System) ? ServiceScope.System : ServiceScope.User,
            new ConfigOverrides
            {
                Port = parse.GetValue(Port),
                Bind = parse.GetValue(Bind),
                TokenFile = parse.GetValue(TokenFile) is { } tokenFile ? Path.GetFullPath(tokenFile) : null,
            }, parse.GetValue(Force),
            parse.GetValue(Timeout) ?? TimeSpan.FromSeconds(30));
        var (result, code, pid, port) = await ServiceSetup.InstallAsync(request, Environment.GetEnvironmentVariable, cancellationToken).ConfigureAwait(false);
        var json = parse.GetValue(Json);
        return result switch
        {
            InstallResult.Installed installed => new LifecycleReport("install", true, "installed",
                $"installed the {ServiceInstaller.Describe(installed.Record)}; gateway ready: pid {pid}, port {port}")
            {
                Warnings = installed.Warnings,
                Details = [.. installed.Record.Files.Select(file => $"  wrote {file}")],
                Fields = Fields(installed.Record, pid, port),
            }.Print(json, code),
            InstallResult.AlreadyInstalled exists => new LifecycleReport("install", false, "exists", exists.What)
            {
                Hints = [$"'clawsharp gateway install --force{GlobalOptions.Repeat(parse)}' replaces it; 'clawsharp gateway uninstall{GlobalOptions.Repeat(parse)}' removes it"],
            }.Print(json, ExitCode.Failure),
            InstallResult.Failed failed => new LifecycleReport("install", false, "failed", failed.Error).Print(json, code),
            _ => throw new InvalidOperationException($"unexpected install result {result}"),
        };
    }

    internal static Dictionary<string, object?> Fields(ServiceRecord record, int? pid, int? port) => new()
    {
        ["manager"] = record.Platform.ToString().ToLowerInvariant(),
        ["scope"] = record.Scope.ToString().ToLowerInvariant(),
        ["name"] = record.Name,
        ["files"] = record.Files,
        ["pid"] = pid,
        ["port"] = port is > 0 ? port : null,
    };
}

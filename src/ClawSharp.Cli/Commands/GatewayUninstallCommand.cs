using System.CommandLine;
using ClawSharp.Control.Services;
using ClawSharp.Gateway;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway uninstall</c>: stops the installed service through its manager, removes it
/// from the manager and deletes every file install wrote (the secrets file included). Exit 0 removed
/// or nothing installed; 1 a step failed.
/// </summary>
internal static class GatewayUninstallCommand
{
    private static readonly Option<bool> Json = new("--json") { Description = "Print the result as JSON alone on stdout" };

    public static Command Build()
    {
        var command = new Command("uninstall", "Stop and remove the gateway's service (systemd, launchd or Windows) and every file install wrote.") { Json };
        command.SetAction((parse, ct) => UninstallAsync(parse, ct));
        return command;
    }

    private static async Task<int> UninstallAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        var result = await ServiceSetup.UninstallAsync(state, Environment.GetEnvironmentVariable, cancellationToken).ConfigureAwait(false);
        var json = parse.GetValue(Json);
        return result switch
        {
            UninstallResult.Removed removed => new LifecycleReport("uninstall", true, "removed", $"removed the {ServiceInstaller.Describe(removed.Record)}")
            {
                Details = [.. removed.Files.Select(file => $"  removed {file}")],
                Fields = new Dictionary<string, object?>
                {
                    ["manager"] = removed.Record.Platform.ToString().ToLowerInvariant(),
                    ["name"] = removed.Record.Name,
                    ["files"] = removed.Files,
                },
            }.Print(json, ExitCode.Success),
            UninstallResult.NotInstalled => new LifecycleReport("uninstall", true, "not-installed", $"no service is installed for {state.Root}").Print(json, ExitCode.Success),
            UninstallResult.Failed failed => new LifecycleReport("uninstall", false, "failed", failed.Error).Print(json, ExitCode.Failure),
            _ => throw new InvalidOperationException($"unexpected uninstall result {result}"),
        };
    }
}

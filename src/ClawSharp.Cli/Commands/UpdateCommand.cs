using System.CommandLine;
using ClawSharp.Cli.Options;
using ClawSharp.Control.Client;
using ClawSharp.Control.Update;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp update --from &lt;release dir | binary&gt; [--sha256 H | --no-verify] [--target PATH]</c> and
/// <c>clawsharp update --rollback</c>: verify, swap by rename, health-checked restart, roll back on
/// failure (<see cref="GatewayUpdater"/>). Exit 0 updated or replaced; 1 refused, rolled back or failed.
/// </summary>
internal static class UpdateCommand
{
    private static readonly Option<string?> From = new("--from") { Description = "A release folder (artifacts/release/VERSION, with SHA256SUMS) or a clawsharp binary", HelpName = "PATH" };
    private static readonly Option<string?> Sha256 = new("--sha256") { Description = "The expected SHA-256 of a bare binary (a release folder's comes from its SHA256SUMS)", HelpName = "HASH" };
    private static readonly Option<bool> NoVerify = new("--no-verify") { Description = "Accept a bare binary without --sha256 (its checksum is not checked)" };
    private static readonly Option<bool> Rollback = new("--rollback") { Description = "Go back to the previous binary (TARGET.previous)" };
    private static readonly Option<string?> Target = new("--target") { Description = "The installed binary to replace (default: the one this command runs as)", HelpName = "PATH" };

    internal static readonly ClientOptions Client = new(TimeSpan.FromSeconds(90), "How long the restart may take in all, drain included (default 90s)");

    public static Command Build()
    {
        var command = new Command("update", "Replace the clawsharp binary with a verified new one and restart the gateway onto it; roll back if it does not become ready.")
        {
            From, Sha256, NoVerify, Rollback, Target,
        };
        Client.AddOptionsTo(command);
        command.Validators.Add(result =>
        {
            var rollback = result.GetValue(Rollback);
            if (rollback == (result.GetValue(From) is not null))
            {
                result.AddError("give either --from PATH or --rollback");
            }
            else if (rollback && (result.GetValue(Sha256) is not null || result.GetValue(NoVerify)))
            {
                result.AddError("--sha256 and --no-verify go with --from");
            }
        });
        command.SetAction((parse, ct) => Client.GuardAsync(parse, ct, (target, token) => RunAsync(parse, target, token), bodyOwnsBudget: true));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Func<GatewayTarget> target, CancellationToken cancellationToken)
    {
        var json = parse.GetValue(Client.Json);
        var installed = parse.GetValue(Target) ?? Environment.ProcessPath;
        if (installed is null || SelfCommand.IsDotnetHost(installed))
        {
            return new LifecycleReport("update", false, "refused",
                "this clawsharp runs under the dotnet host, not as an installed binary; give the binary to replace with --target PATH").Print(json, ExitCode.Failure);
        }
        var request = new UpdateRequest(GlobalOptions.ResolveState(parse), target, parse.GetValue(From), parse.GetValue(Sha256), parse.GetValue(NoVerify),
            parse.GetValue(Rollback), installed, Client.Budget(parse));
        var result = await GatewayUpdater.UpdateAsync(request, cancellationToken).ConfigureAwait(false);
        var ok = result.Outcome is UpdateOutcome.Updated or UpdateOutcome.Replaced;
        var report = new LifecycleReport(parse.GetValue(Rollback) ? "rollback" : "update", ok, ResultName(result.Outcome), result.Message)
        {
            Fields = new Dictionary<string, object?>
            {
                ["binary"] = result.Binary,
                ["source"] = result.Source,
                ["from"] = result.FromVersion,
                ["to"] = result.ToVersion,
                ["previous"] = result.Previous,
                ["pid"] = result.GatewayPid,
                ["managedBy"] = result.ManagedBy,
            },
            Hints = result.Outcome is UpdateOutcome.RolledBack or UpdateOutcome.Failed ? ["see 'clawsharp gateway logs' for why the new binary did not become ready"] : [],
        };
        return report.Print(json, ok ? ExitCode.Success : ExitCode.Failure);
    }

    private static string ResultName(UpdateOutcome outcome) => outcome switch
    {
        UpdateOutcome.Refused => "refused",
        UpdateOutcome.Replaced => "replaced",
        UpdateOutcome.Updated => "updated",
        UpdateOutcome.RolledBack => "rolled-back",
        _ => "failed",
    };
}

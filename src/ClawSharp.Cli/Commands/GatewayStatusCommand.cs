using System.CommandLine;
using ClawSharp.Cli.Options;
using ClawSharp.Cli.Output;
using ClawSharp.Control;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Protocol;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway status</c>: the truth from the state directory (daemon.json and the lock,
/// every PID verified) and from the gateway itself (does it answer <c>status</c>?).
/// Exit codes (LSB): 0 running; 3 not running (stopped, or starting / in backoff under the
/// supervisor); 1 failed (the supervisor gave up) or alive but not answering.
/// </summary>
internal static class GatewayStatusCommand
{
    private static readonly ClientOptions Client = new(TimeSpan.FromSeconds(5), "How long to wait for the gateway to answer (default 5s)");

    public static Command Build()
    {
        var command = new Command("status", "Show whether the gateway runs, its supervisor, and what it says about itself (exit 0 running, 3 not running, 1 failed or unreachable).");
        Client.AddOptionsTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        var report = await GatewayControl.StatusAsync(state, async () =>
        {
            // A gateway that does not answer is reported on stderr here and shown as unreachable below (the one document).
            StatusPayload? answer = null;
            using var stderrOnly = CliOutput.FailuresOnStderrOnly();
            await Client.RunAsync(parse, cancellationToken, async (client, token) =>
            {
                answer = await client.StatusAsync(token).ConfigureAwait(false);
                return 0;
            }).ConfigureAwait(false);
            return answer;
        }).ConfigureAwait(false);
        if (parse.GetValue(Client.Json))
        {
            CliOutput.WriteJson(w => StatusPrinter.WriteJson(w, report));
        }
        else
        {
            StatusPrinter.Print(report);
        }
        return (int)report.Verdict.ExitCode;
    }
}

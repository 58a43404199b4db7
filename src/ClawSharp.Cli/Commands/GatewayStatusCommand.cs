using System.CommandLine;
using System.Text.Json;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Respawn;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway status</c>: the truth from the state directory (daemon.json and the lock,
/// every PID verified) and from the gateway itself (does it answer <c>status</c>?).
/// Exit codes (LSB): 0 running; 3 not running (stopped, or starting / in backoff under the
/// supervisor); 1 failed (the supervisor gave up) or alive but not answering.
/// </summary>
internal static class GatewayStatusCommand
{
    private static readonly ClientCommand Client = new(TimeSpan.FromSeconds(5), "How long to wait for the gateway to answer (default 5s)");

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
        var snapshot = DaemonSnapshot.Take(state);
        JsonElement? answer = null;
        if (snapshot.Gateway is not null)
        {
            await Client.RunAsync(parse, cancellationToken, async (client, token) =>
            {
                answer = await client.CallAsync("status", (JsonElement?)null, token).ConfigureAwait(false);
                return 0;
            }).ConfigureAwait(false);
        }
        var view = StatusView.Decide(snapshot, answer) with { UpdateFailure = UpdateFailureStore.Read(state) };
        if (parse.GetValue(Client.Json))
        {
            CliOutput.WriteJson(w => StatusView.WriteJson(w, view, state));
        }
        else
        {
            StatusView.Print(view, state);
        }
        return (int)view.ExitCode;
    }
}

using System.CommandLine;
using System.Text.Json;
using ClawSharp.Cli.Options;
using ClawSharp.Gateway.Restart;

namespace ClawSharp.Cli.Commands;

/// <summary><c>clawsharp gateway preflight</c>: what a safe restart would wait for.</summary>
internal static class GatewayPreflightCommand
{
    private static readonly ClientOptions Client = new(TimeSpan.FromSeconds(10), "How long to wait for the answer (default 10s)");

    public static Command Build()
    {
        var command = new Command("preflight", "Show the active work a safe restart would wait for (exit 0 either way).");
        Client.AddOptionsTo(command);
        command.SetAction((parse, ct) => Client.RunAsync(parse, ct, async (client, token) =>
        {
            var preflight = await client.PreflightAsync(token).ConfigureAwait(false);
            if (parse.GetValue(Client.Json))
            {
                CliOutput.WriteJson(w => JsonSerializer.Serialize(w, preflight, RestartJsonContext.Default.PreflightResult));
                return 0;
            }
            Console.Out.WriteLine(preflight.NextStartProblem is { } problem
                ? $"a restart would be refused now: the next start would fail: {problem}"
                : preflight.Summary);
            var counts = preflight.Counts;
            Console.Out.WriteLine(
                $"queue {counts.QueueSize}, pending replies {counts.PendingReplies}, runs {counts.EmbeddedRuns}, " +
                $"tasks {counts.ActiveTasks} (total {counts.TotalActive})");
            foreach (var blocker in preflight.Blockers)
            {
                Console.Out.WriteLine($"  {blocker.Kind,-12} {blocker.Message}");
            }
            return 0;
        }));
        return command;
    }
}

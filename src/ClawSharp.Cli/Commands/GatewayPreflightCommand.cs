using System.CommandLine;

namespace ClawSharp.Cli.Commands;

/// <summary><c>clawsharp gateway preflight</c>: what a safe restart would wait for.</summary>
internal static class GatewayPreflightCommand
{
    private static readonly ClientCommand Client = new(TimeSpan.FromSeconds(10), "How long to wait for the answer (default 10s)");

    public static Command Build()
    {
        var command = new Command("preflight", "Show the active work a safe restart would wait for (exit 0 either way).");
        Client.AddOptionsTo(command);
        command.SetAction((parse, ct) => Client.RunAsync(parse, ct, async (client, token) =>
        {
            var preflight = await client.CallAsync("gateway.restart.preflight", (System.Text.Json.JsonElement?)null, token).ConfigureAwait(false);
            if (parse.GetValue(Client.Json))
            {
                CliOutput.WriteJson(preflight);
                return 0;
            }
            Console.Out.WriteLine(preflight.GetProperty("summary").GetString());
            var counts = preflight.GetProperty("counts");
            Console.Out.WriteLine(
                $"queue {counts.GetProperty("queueSize")}, pending replies {counts.GetProperty("pendingReplies")}, runs {counts.GetProperty("embeddedRuns")}, " +
                $"tasks {counts.GetProperty("activeTasks")} (total {counts.GetProperty("totalActive")})");
            foreach (var blocker in preflight.GetProperty("blockers").EnumerateArray())
            {
                Console.Out.WriteLine($"  {blocker.GetProperty("kind").GetString(),-12} {blocker.GetProperty("message").GetString()}");
            }
            return 0;
        }));
        return command;
    }
}

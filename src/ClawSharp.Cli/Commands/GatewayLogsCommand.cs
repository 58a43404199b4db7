using System.CommandLine;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Logging;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway logs [-n N] [-f]</c>: the tail of <c>logs/gateway*.log</c>, rendered
/// one line per event, following <c>gateway.log</c> across rotation (<see cref="GatewayLogFollower"/>).
/// </summary>
internal static class GatewayLogsCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private static readonly Option<int> Lines = new("--lines", "-n")
    {
        Description = "How many lines to show (default 50)",
        DefaultValueFactory = _ => 50,
        HelpName = "N",
    };

    private static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Keep printing new lines, across rotation (Ctrl+C ends)" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the raw JSON lines" };

    public static Command Build()
    {
        var command = new Command("logs", "Show the gateway log.") { Lines, Follow, Json };
        command.SetAction((parse, ct) => RunAsync(parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        var raw = parse.GetValue(Json);
        var files = GatewayLogFiles.List(state);
        if (files.Count == 0 && !parse.GetValue(Follow))
        {
            return CliOutput.Fail(ExitCode.Failure, $"no log file in {state.LogsDirectory} (has the gateway run with this state directory?)");
        }
        var wanted = Math.Max(0, parse.GetValue(Lines));
        foreach (var line in GatewayLogFiles.Tail(state, wanted, raw))
        {
            Console.Out.WriteLine(line);
        }
        if (!parse.GetValue(Follow))
        {
            return 0;
        }
        using var follower = new GatewayLogFollower(state);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                foreach (var line in follower.Poll())
                {
                    Console.Out.WriteLine(Render(line, raw));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    private static string Render(string line, bool raw) => raw ? line : GatewayLogFiles.Render(line);
}

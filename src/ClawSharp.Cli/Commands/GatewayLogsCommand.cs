using System.CommandLine;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Logging;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway logs [-n N] [-f | --previous]</c>: the tail of <c>logs/gateway*.log</c>, rendered
/// one line per event, following <c>gateway.log</c> across rotation (<see cref="GatewayLogFollower"/>);
/// <c>--previous</c> prints the last lines of the previous supervised run (<c>logs/previous-run.json</c>).
/// </summary>
internal static class GatewayLogsCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private static readonly Option<int> Lines = LinesOption();

    private static Option<int> LinesOption()
    {
        var lines = new Option<int>("--lines", "-n")
        {
            Description = "How many lines to show (default 50)",
            DefaultValueFactory = _ => 50,
            HelpName = "N",
        };
        lines.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--lines must be 0 or more");
            }
        });
        return lines;
    }

    private static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Keep printing new lines, across rotation (Ctrl+C ends)" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the raw JSON lines" };
    private static readonly Option<bool> Previous = new("--previous") { Description = "Show the last lines of the previous run (the one before the current gateway, kept by the supervisor)" };

    private static readonly Option<bool> Service = new("--service")
    {
        Description = "Show what the installed service's manager kept instead (systemd's journal for the unit, launchd's service.log)",
    };

    public static Command Build()
    {
        var command = new Command("logs", "Show the gateway log.") { Lines, Follow, Json, Previous, Service };
        command.Validators.Add(result =>
        {
            if (result.GetValue(Previous) && result.GetValue(Follow))
            {
                result.AddError("--previous cannot be combined with --follow: the previous run has ended");
            }
            if (result.GetValue(Service) && (result.GetValue(Previous) || result.GetValue(Json)))
            {
                result.AddError("--service cannot be combined with --previous or --json: the manager's log is its own format");
            }
        });
        command.SetAction((parse, ct) => parse.GetValue(Service) ? PrintServiceAsync(parse, ct)
            : parse.GetValue(Previous) ? Task.FromResult(PrintPrevious(parse)) : RunAsync(parse, ct));
        return command;
    }

    /// <summary>
    /// <c>--previous</c>: the run before the current one (logs/previous-run.json): a header on
    /// stderr (which gateway, how it ended), its last lines on stdout (raw JSON with <c>--json</c>).
    /// </summary>
    private static int PrintPrevious(ParseResult parse)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        if (PreviousRunStore.Read(state, out var problem) is not { } run)
        {
            return CliOutput.Fail(ExitCode.Failure, problem!);
        }
        var who = run.GatewayPid is { } pid ? $"gateway pid {pid}" : "the gateway";
        var since = run.StartedAt is { } started ? $", started {Control.Status.GatewayStatusDecision.Local(started)}" : "";
        Console.Error.WriteLine($"previous run: {who}{since}, ended: {run.End}; its last {run.Lines.Count} line(s) follow");
        var raw = parse.GetValue(Json);
        foreach (var line in run.Lines.TakeLast(Math.Max(0, parse.GetValue(Lines))))
        {
            Console.Out.WriteLine(Render(line, raw));
        }
        return 0;
    }

    /// <summary><c>--service</c>: the installed service manager's log (<see cref="Control.Services.ServiceLogs"/>).</summary>
    private static async Task<int> PrintServiceAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        try
        {
            var (code, error) = await Control.Services.ServiceLogs.PrintAsync(state, Math.Max(0, parse.GetValue(Lines)), parse.GetValue(Follow), cancellationToken)
                .ConfigureAwait(false);
            return error is null ? code : CliOutput.Fail((ExitCode)code, error);
        }
        catch (Control.Services.ServiceCommandException e)
        {
            return CliOutput.Fail(ExitCode.Failure, e.Message);
        }
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

    private static string Render(string line, bool raw) => raw ? GatewayLogFiles.Printable(line) : GatewayLogFiles.Render(line);
}

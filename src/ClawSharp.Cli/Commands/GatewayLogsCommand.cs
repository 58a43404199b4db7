using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway logs [-n N] [-f]</c>: the tail of <c>logs/gateway*.log</c>, rendered
/// one line per event, following across rotation (Serilog rolls to gateway_001.log,
/// gateway_002.log …; the highest number is the file being written).
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
        var files = LogFiles(state);
        if (files.Count == 0 && !parse.GetValue(Follow))
        {
            return CliOutput.Fail(ExitCode.Failure, $"no log file in {state.LogsDirectory} (has the gateway run with this state directory?)");
        }
        var wanted = Math.Max(0, parse.GetValue(Lines));
        var tail = new Queue<string>();
        foreach (var file in files)
        {
            foreach (var line in ReadLines(file, 0, out _))
            {
                tail.Enqueue(line);
                if (tail.Count > wanted)
                {
                    tail.Dequeue();
                }
            }
        }
        foreach (var line in tail)
        {
            Console.Out.WriteLine(Render(line, raw));
        }
        if (!parse.GetValue(Follow))
        {
            return 0;
        }
        var current = files.LastOrDefault();
        var offset = current is null ? 0 : new FileInfo(current).Length;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                var newest = LogFiles(state).LastOrDefault();
                if (newest is null)
                {
                    continue;
                }
                if (current is not null && newest != current && File.Exists(current))
                {
                    // Rotated: finish the old file, then start the new one from its beginning.
                    foreach (var line in ReadLines(current, offset, out _))
                    {
                        Console.Out.WriteLine(Render(line, raw));
                    }
                    offset = 0;
                }
                else if (newest == current && new FileInfo(newest).Length < offset)
                {
                    offset = 0;
                }
                current = newest;
                foreach (var line in ReadLines(current, offset, out var end))
                {
                    Console.Out.WriteLine(Render(line, raw));
                    offset = end;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    /// <summary>gateway.log first, then gateway_001.log, gateway_002.log …: oldest to newest.</summary>
    private static List<string> LogFiles(StateDirectory state)
    {
        if (!Directory.Exists(state.LogsDirectory))
        {
            return [];
        }
        return [.. Directory.GetFiles(state.LogsDirectory, "gateway*.log").OrderBy(Sequence)];
    }

    private static int Sequence(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var underscore = name.LastIndexOf('_');
        return underscore > 0 && int.TryParse(name[(underscore + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    /// <summary>Complete lines from <paramref name="offset"/>; <paramref name="end"/> is the offset after the last complete line.</summary>
    private static List<string> ReadLines(string path, long offset, out long end)
    {
        end = offset;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (offset > stream.Length)
            {
                return [];
            }
            stream.Position = offset;
            var bytes = new byte[stream.Length - offset];
            stream.ReadExactly(bytes);
            var lastNewline = Array.LastIndexOf(bytes, (byte)'\n');
            if (lastNewline < 0)
            {
                return [];
            }
            end = offset + lastNewline + 1;
            return [.. Encoding.UTF8.GetString(bytes, 0, lastNewline).Split('\n')];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static string Render(string line, bool raw)
    {
        if (raw)
        {
            return line;
        }
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var time = root.TryGetProperty("@t", out var t) && t.TryGetDateTimeOffset(out var at) ? at.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) : "";
            var level = root.TryGetProperty("@l", out var l) ? l.GetString()! : "Information";
            var message = root.TryGetProperty("@m", out var m) ? m.GetString() : line;
            var exception = root.TryGetProperty("@x", out var x) ? $" {x.GetString()}" : "";
            return $"{time} {Abbreviate(level)} {message}{exception}";
        }
        catch (JsonException)
        {
            return line;
        }
    }

    private static string Abbreviate(string level) => level switch
    {
        "Verbose" => "VRB",
        "Debug" => "DBG",
        "Information" => "INF",
        "Warning" => "WRN",
        "Error" => "ERR",
        "Fatal" => "FTL",
        _ => level,
    };
}

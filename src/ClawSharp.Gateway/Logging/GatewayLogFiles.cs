using System.Globalization;
using System.Text;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Logging;

/// <summary>
/// Reading the gateway's own log files: Serilog rolls forward (gateway.log, then
/// gateway_001.log, gateway_002.log …), so the highest number is the file being written.
/// Shared by <c>gateway logs</c>, <c>gateway start</c> (last lines of a failed start) and the
/// supervisor (last lines of a crash, kept for <c>status</c>).
/// </summary>
public static class GatewayLogFiles
{
    /// <summary>The gateway's log files, oldest to newest.</summary>
    public static List<string> List(StateDirectory state)
    {
        if (!Directory.Exists(state.LogsDirectory))
        {
            return [];
        }
        return [.. Directory.GetFiles(state.LogsDirectory, "gateway*.log").OrderBy(Sequence)];
    }

    /// <summary>The last <paramref name="count"/> lines across the files, rendered unless <paramref name="raw"/>.</summary>
    public static List<string> Tail(StateDirectory state, int count, bool raw = false)
    {
        var tail = new Queue<string>();
        foreach (var file in List(state))
        {
            foreach (var line in ReadLines(file, 0, out _))
            {
                tail.Enqueue(line);
                if (tail.Count > count)
                {
                    tail.Dequeue();
                }
            }
        }
        return [.. tail.Select(line => raw ? line : Render(line))];
    }

    /// <summary>Complete lines from <paramref name="offset"/>; <paramref name="end"/> is the offset after the last complete line.</summary>
    public static List<string> ReadLines(string path, long offset, out long end)
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>One JSON (CLEF) log line as <c>HH:mm:ss.fff LVL message</c>; a line that is not JSON as it is.</summary>
    public static string Render(string line)
    {
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

    private static int Sequence(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var underscore = name.LastIndexOf('_');
        return underscore > 0 && int.TryParse(name[(underscore + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
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

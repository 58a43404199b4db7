using System.Globalization;
using System.Text;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Logging;

/// <summary>
/// Reading the gateway's own log files: <c>gateway.log</c> is the file being written, rotation
/// renames it to <c>gateway.1.log</c> and each older backup one number up (gateway.2.log …),
/// see <see cref="LogFileRotation"/>. Files of the earlier Serilog roller (gateway_001.log …,
/// the highest number newest) count as older than all of them. Shared by <c>gateway logs</c>,
/// <c>gateway start</c> (last lines of a failed start) and the supervisor (last lines of a
/// crash, kept for <c>status</c>).
/// </summary>
internal static class GatewayLogFiles
{
    /// <summary>The gateway's log files, oldest to newest.</summary>
    public static List<string> List(StateDirectory state)
    {
        if (!Directory.Exists(state.LogsDirectory))
        {
            return [];
        }
        return [.. Directory.GetFiles(state.LogsDirectory, "gateway*.log").OrderBy(Age)];
    }

    /// <summary>The path of backup <paramref name="number"/> (1 the newest) of <paramref name="logFile"/>: gateway.log → gateway.1.log.</summary>
    public static string BackupOf(string logFile, int number) =>
        Path.Combine(Path.GetDirectoryName(logFile)!,
            string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(logFile)}.{number}{Path.GetExtension(logFile)}"));

    /// <summary>
    /// The last <paramref name="count"/> complete lines across the files, rendered unless
    /// <paramref name="raw"/>. Reads from the end of the newest file backwards, so a crash on a
    /// Pi with 300 MB of logs costs a few kilobytes, not the whole history.
    /// </summary>
    public static List<string> Tail(StateDirectory state, int count, bool raw = false)
    {
        var tail = new List<string>();
        var files = List(state);
        for (var i = files.Count - 1; i >= 0 && tail.Count < count; i--)
        {
            tail.InsertRange(0, LastLines(files[i], count - tail.Count));
        }
        return [.. tail.Select(line => raw ? Printable(line) : Render(line))];
    }

    /// <summary>The last <paramref name="count"/> complete lines of one file, read through a window that grows from its end.</summary>
    private static List<string> LastLines(string path, int count)
    {
        if (count <= 0)
        {
            return [];
        }
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = stream.Length;
            long window = Math.Min(length, 16 * 1024);
            while (true)
            {
                var bytes = new byte[window];
                stream.Position = length - window;
                stream.ReadExactly(bytes);
                var end = Array.LastIndexOf(bytes, (byte)'\n');
                if (end < 0 && window == length)
                {
                    return [];
                }
                var newlines = end < 0 ? 0 : bytes.AsSpan(0, end + 1).Count((byte)'\n');
                // One more newline than lines wanted marks where the first wanted line starts (or the file start does).
                if (newlines > count || window == length)
                {
                    var lines = Encoding.UTF8.GetString(bytes, 0, end).Split('\n');
                    var whole = window == length ? lines : lines[1..];
                    return [.. whole.TakeLast(count)];
                }
                window = Math.Min(length, window * 4);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// One JSON (CLEF) log line as <c>HH:mm:ss.fff LVL message</c>; a line that is not JSON as it is.
    /// Either way printable: control characters are escaped (<see cref="SafeLogText"/>), whoever wrote the file.
    /// </summary>
    public static string Render(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var time = root.TryGetProperty("@t", out var t) && t.TryGetDateTimeOffset(out var at) ? at.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) : "";
            var level = root.TryGetProperty("@l", out var l) ? l.GetString()! : "Information";
            var message = root.TryGetProperty("@m", out var m) ? m.GetString() ?? "" : line;
            var exception = root.TryGetProperty("@x", out var x) ? $" {SafeLogText.Escape(x.GetString() ?? "", int.MaxValue, keepLineBreaks: true)}" : "";
            return $"{time} {SafeLogText.Escape(Abbreviate(level ?? ""), int.MaxValue)} {SafeLogText.Escape(message, int.MaxValue)}{exception}";
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Printable(line);
        }
    }

    /// <summary>A raw line (<c>--json</c>) with its control characters escaped: a JSON line written by the gateway has none, and stays the same.</summary>
    public static string Printable(string line) => SafeLogText.Escape(line, int.MaxValue);

    /// <summary>Sorts oldest first: legacy gateway_NNN.log by number, then gateway.N.log from the highest number, then gateway.log.</summary>
    private static (int Kind, long Order) Age(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var underscore = name.LastIndexOf('_');
        if (underscore > 0 && int.TryParse(name[(underscore + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var legacy))
        {
            return (0, legacy);
        }
        var dot = name.LastIndexOf('.');
        if (dot > 0 && int.TryParse(name[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var backup))
        {
            return (1, -backup);
        }
        return (2, 0);
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

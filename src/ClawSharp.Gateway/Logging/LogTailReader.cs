using System.Text;

namespace ClawSharp.Gateway.Logging;

/// <summary>One answer of <see cref="LogTailReader.Read"/>: whole lines, and the byte offset to ask from next.</summary>
internal sealed record LogTail(string File, long Cursor, long Size, IReadOnlyList<string> Lines, bool Truncated, bool Reset);

/// <summary>
/// <c>logs.tail</c> over <c>logs/gateway.log</c>: the newest complete lines, bounded by a line
/// count and a byte budget, and a cursor (a byte offset) that a follower passes back to get
/// only what was written since. Reads at most <c>maxBytes</c> from the end, never the whole
/// file. A cursor past the end means the file was rotated (or truncated): reading starts over
/// at the new file's start and says so (<c>reset</c>). A partial last line (a write in
/// progress) is left for the next call.
/// </summary>
internal static class LogTailReader
{
    public static LogTail Read(string path, long? cursor, int limit, int maxBytes)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LogTail(path, 0, 0, [], false, cursor is > 0);
        }
        using (stream)
        {
            var size = stream.Length;
            var reset = cursor is { } asked && asked > size;
            var from = cursor is { } c && !reset ? c : 0;
            // Without a cursor (or past the budget) only the newest maxBytes are read; the first,
            // probably partial, line of such a window is dropped unless the window starts the file.
            var truncated = false;
            var dropFirst = false;
            if (cursor is null || reset || size - from > maxBytes)
            {
                var windowStart = Math.Max(from, size - maxBytes);
                truncated = windowStart > from;
                dropFirst = windowStart > 0 && !(cursor is { } start && !reset && windowStart == start);
                from = windowStart;
            }
            var bytes = new byte[size - from];
            stream.Position = from;
            stream.ReadExactly(bytes);
            var end = Array.LastIndexOf(bytes, (byte)'\n');
            if (end < 0)
            {
                return new LogTail(path, from, size, [], truncated, reset);
            }
            var begin = 0;
            if (dropFirst)
            {
                begin = Array.IndexOf(bytes, (byte)'\n') + 1;
                truncated = true;
            }
            var lines = begin > end ? [] : Encoding.UTF8.GetString(bytes, begin, end - begin).Split('\n');
            if (lines.Length > limit)
            {
                lines = lines[^limit..];
                truncated = true;
            }
            return new LogTail(path, from + end + 1, size, lines, truncated, reset);
        }
    }
}

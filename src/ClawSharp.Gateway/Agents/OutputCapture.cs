using System.Text;

namespace ClawSharp.Gateway.Agents;

/// <summary>What a child wrote on one stream, as kept: the text, how many bytes it wrote in all, and whether some were dropped.</summary>
internal sealed record CapturedOutput(string Text, long TotalBytes, bool Truncated)
{
    public static CapturedOutput Empty { get; } = new("", 0, false);
}

/// <summary>
/// Reads a child's stream to its end into at most <c>limit</c> bytes: the first ones (a reply
/// reads from its start) or the last ones (a task's log ends with what matters). Everything
/// past the limit is read and dropped, so the child never blocks on a full pipe and the
/// gateway's memory does not grow with what the child prints.
/// </summary>
internal sealed class OutputCapture(int limit, bool keepLast)
{
    private const int ChunkBytes = 16 * 1024;
    private readonly Lock gate = new();
    private byte[] data = new byte[Math.Min(limit, ChunkBytes)];
    private int length;
    private int start;
    private long total;

    public async Task<CapturedOutput> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var chunk = new byte[ChunkBytes];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            Append(chunk.AsSpan(0, read));
        }
        return Result();
    }

    /// <summary>What was kept so far (after an abandoned read, too).</summary>
    public CapturedOutput Result()
    {
        lock (gate)
        {
            var bytes = new byte[length];
            var tail = data.AsSpan(start, length - start);
            tail.CopyTo(bytes);
            data.AsSpan(0, start).CopyTo(bytes.AsSpan(tail.Length));
            var truncated = total > length;
            return new CapturedOutput(Decode(bytes, truncated && keepLast, truncated && !keepLast), total, truncated);
        }
    }

    internal void Append(ReadOnlySpan<byte> chunk)
    {
        lock (gate)
        {
            total += chunk.Length;
            if (keepLast)
            {
                AppendLast(chunk);
            }
            else
            {
                var take = Math.Min(limit - length, chunk.Length);
                Reserve(length + take);
                chunk[..take].CopyTo(data.AsSpan(length));
                length += take;
            }
        }
    }

    private void AppendLast(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length >= limit)
        {
            Reserve(limit);
            chunk[^limit..].CopyTo(data);
            (start, length) = (0, limit);
            return;
        }
        Reserve(Math.Min(limit, length + chunk.Length));
        // A ring once full: the oldest bytes are overwritten in place, nothing is moved.
        while (!chunk.IsEmpty)
        {
            int n;
            if (length < data.Length)
            {
                n = Math.Min(chunk.Length, data.Length - length);
                chunk[..n].CopyTo(data.AsSpan(length));
                length += n;
            }
            else
            {
                n = Math.Min(chunk.Length, data.Length - start);
                chunk[..n].CopyTo(data.AsSpan(start));
                start = (start + n) % data.Length;
            }
            chunk = chunk[n..];
        }
    }

    /// <summary>Grows the buffer (only while it is not a full ring, so its content is still in order from 0).</summary>
    private void Reserve(int needed)
    {
        if (needed <= data.Length)
        {
            return;
        }
        var grown = new byte[Math.Min(limit, Math.Max(needed, data.Length * 2))];
        data.AsSpan(0, length).CopyTo(grown);
        data = grown;
    }

    /// <summary>UTF-8, without the partial character a cut leaves at either end.</summary>
    private static string Decode(byte[] bytes, bool cutAtStart, bool cutAtEnd)
    {
        var span = bytes.AsSpan();
        if (cutAtStart)
        {
            var skip = 0;
            while (skip < span.Length && skip < 3 && (span[skip] & 0xC0) == 0x80)
            {
                skip++;
            }
            span = span[skip..];
        }
        if (cutAtEnd)
        {
            for (var back = 1; back <= Math.Min(3, span.Length); back++)
            {
                var b = span[^back];
                if ((b & 0xC0) == 0x80)
                {
                    continue;
                }
                var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                if (needed > back)
                {
                    span = span[..^back];
                }
                break;
            }
        }
        return Encoding.UTF8.GetString(span);
    }
}

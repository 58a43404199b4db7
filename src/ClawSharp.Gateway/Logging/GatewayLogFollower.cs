using System.Text;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Logging;

/// <summary>
/// Follows <c>logs/gateway.log</c> (<c>gateway logs -f</c>) across rotation. It reads through an
/// open handle, which follows the file when a rotation renames it, so the lines written just
/// before (and by a writer that had not yet moved on) are read before the new file.
/// </summary>
internal sealed class GatewayLogFollower : IDisposable
{
    private readonly string path;
    private FileStream? reading;
    private long offset;

    /// <summary>Starts at the current end of the log file (or at the start of one that does not exist yet).</summary>
    public GatewayLogFollower(StateDirectory state)
    {
        path = state.LogFile;
        reading = TryOpen(path);
        offset = reading?.Length ?? 0;
    }

    /// <summary>The complete lines written since the last call, in file order, across a rotation in between.</summary>
    public List<string> Poll()
    {
        var lines = new List<string>();
        if (reading is null)
        {
            reading = TryOpen(path);
            offset = 0;
            if (reading is null)
            {
                return lines;
            }
        }
        ReadNewLines(reading, lines);
        if (Rotated(reading))
        {
            ReadNewLines(reading, lines);
            reading.Dispose();
            reading = TryOpen(path);
            offset = 0;
            if (reading is not null)
            {
                ReadNewLines(reading, lines);
            }
        }
        return lines;
    }

    public void Dispose() => reading?.Dispose();

    // Rotation renames a full file and starts a new one at the path. On Linux the held descriptor
    // names its file (/proc/self/fd/N follows the rename), which tells a rename apart whatever the
    // sizes; elsewhere a smaller file at the path does (the handle's size is taken first, so a write
    // to the same file in between can only make the path look bigger).
    private bool Rotated(FileStream held)
    {
        if (OperatingSystem.IsLinux() && HeldPath(held) is { } heldPath)
        {
            // Both names resolved the same way (symlinked directories included): the file at the path now, and the held one.
            using var current = TryOpen(path);
            return current is not null && HeldPath(current) is { } currentPath && currentPath != heldPath;
        }
        var heldLength = held.Length;
        var atPath = new FileInfo(path);
        return atPath.Exists && atPath.Length < heldLength;
    }

    private static string? HeldPath(FileStream held)
    {
        try
        {
            return File.ResolveLinkTarget($"/proc/self/fd/{held.SafeFileHandle.DangerousGetHandle()}", returnFinalTarget: false)?.FullName;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private void ReadNewLines(FileStream stream, List<string> lines)
    {
        try
        {
            var length = stream.Length;
            if (length < offset)
            {
                offset = 0; // truncated by hand
            }
            var bytes = new byte[length - offset];
            stream.Position = offset;
            stream.ReadExactly(bytes);
            var lastNewline = Array.LastIndexOf(bytes, (byte)'\n');
            if (lastNewline < 0)
            {
                return;
            }
            lines.AddRange(Encoding.UTF8.GetString(bytes, 0, lastNewline).Split('\n'));
            offset += lastNewline + 1;
        }
        catch (IOException)
        {
        }
    }

    private static FileStream? TryOpen(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

using ClawSharp.Gateway.Infrastructure;
using Microsoft.Win32.SafeHandles;

namespace ClawSharp.Gateway.Logging;

/// <summary>
/// One log file opened for appending with O_APPEND (created 0600, or tightened to 0600: logs
/// may hold secrets). Each <see cref="Append"/> is one write() of whole lines, so several
/// processes appending to the same file never overwrite or split each other's lines.
/// </summary>
internal sealed class AppendOnlyLogFile : IDisposable
{
    private readonly FileStream stream;

    private AppendOnlyLogFile(FileStream stream) => this.stream = stream;

    /// <summary>Opens <paramref name="path"/>, creating it when missing.</summary>
    public static AppendOnlyLogFile Open(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite | FileShare.Delete,
            // Never written through: the bytes go straight to write(2) on the handle.
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = AtomicFile.PrivateFileMode;
        }
        var stream = new FileStream(path, options);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                stream.Seek(0, SeekOrigin.End);
            }
            else
            {
                Posix.SetAppendMode(stream.SafeFileHandle);
                // Only a regular file (seekable): a device such as /dev/full keeps its mode, even for root.
                if (stream.CanSeek)
                {
                    MakePrivate(stream.SafeFileHandle);
                }
            }
            return new AppendOnlyLogFile(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The file's size now, all writers included (0 for a device such as /dev/full).</summary>
    public long Length => RandomAccess.GetLength(stream.SafeFileHandle);

    /// <summary>Appends <paramref name="lines"/> (whole lines) at the end of the file as it is now.</summary>
    public void Append(ReadOnlySpan<byte> lines)
    {
        if (OperatingSystem.IsWindows())
        {
            stream.Write(lines);
            return;
        }
        Posix.WriteAll(stream.SafeFileHandle, lines);
    }

    public void Dispose() => stream.Dispose();

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void MakePrivate(SafeFileHandle handle)
    {
        try
        {
            if (File.GetUnixFileMode(handle) != AtomicFile.PrivateFileMode)
            {
                File.SetUnixFileMode(handle, AtomicFile.PrivateFileMode);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another user's file: leave its mode alone.
        }
    }
}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>Appending to a file that other processes append to as well.</summary>
internal static partial class Posix
{
    private const int F_GETFL = 3;
    private const int F_SETFL = 4;

    /// <summary>
    /// Sets O_APPEND on an open file, so that every write lands at the end of the file as it is
    /// then, whoever else writes it (.NET's FileMode.Append only seeks once, at open).
    /// </summary>
    public static void SetAppendMode(SafeFileHandle handle)
    {
        var append = OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 0x8 : 0x400;
        var flags = fcntl_handle(handle, F_GETFL, 0);
        if (flags < 0 || fcntl_handle(handle, F_SETFL, flags | append) < 0)
        {
            throw new IOException($"fcntl(F_SETFL, O_APPEND) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Appends whole lines with one write(): with O_APPEND they land at the end in one piece, never
    /// interleaved with another writer's. A short write (a nearly full disk) is not continued, since
    /// another writer's line could land between the two parts: the fragment is ended with a newline,
    /// so the damage stays within one line, and the failure is reported.
    /// </summary>
    public static void WriteAll(SafeFileHandle handle, ReadOnlySpan<byte> bytes)
    {
        while (true)
        {
            var written = write_handle(handle, bytes, bytes.Length);
            if (written < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == 4)
                {
                    continue; // EINTR
                }
                throw new IOException($"write failed: errno {errno}{(errno == 28 ? " (no space left on device)" : "")}");
            }
            if (written == bytes.Length)
            {
                return;
            }
            if (written > 0 && bytes[(int)written - 1] != (byte)'\n')
            {
                write_handle(handle, "\n"u8, 1);
            }
            throw new IOException($"short write: {written} of {bytes.Length} bytes (is the disk full?)");
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int fcntl_handle(SafeFileHandle fd, int cmd, int arg);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint write_handle(SafeFileHandle fd, ReadOnlySpan<byte> buffer, nint count);
}

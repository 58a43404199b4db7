using System.Runtime.InteropServices;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>Which file a path names (device and inode), as the kernel prints it in <c>/proc/locks</c> and <c>fdinfo</c>.</summary>
internal static partial class Posix
{
    private const uint STATX_INO = 0x100;

    /// <summary>
    /// <c>MAJOR:MINOR:INODE</c> of <paramref name="path"/> (links followed), spelled as the kernel's
    /// lock listings spell it (<c>%02x:%02x:%lu</c>); null when it cannot be examined or off Linux.
    /// </summary>
    public static string? LockListingId(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        // struct statx: stx_ino at 32 (64 bits), stx_dev_major at 136, stx_dev_minor at 140.
        var buffer = new byte[256];
        if (statx(AT_FDCWD, path, 0, STATX_INO, buffer) != 0)
        {
            return null;
        }
        var inode = BitConverter.ToUInt64(buffer, 32);
        var major = BitConverter.ToUInt32(buffer, 136);
        var minor = BitConverter.ToUInt32(buffer, 140);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{major:x2}:{minor:x2}:{inode}");
    }
}

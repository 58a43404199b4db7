using System.Runtime.InteropServices;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>Who owns a file, which .NET does not expose (it has the mode, not the owner).</summary>
internal static partial class Posix
{
    private const int AT_FDCWD = -100;
    private const uint STATX_MODE = 0x2;
    private const uint STATX_UID = 0x8;

    /// <summary>The effective user id of this process.</summary>
    public static uint EffectiveUserId() => geteuid();

    /// <summary>
    /// The owner's user id and the permission bits of <paramref name="path"/> (symbolic links
    /// followed); null when it cannot be examined (<paramref name="errno"/> says why: 2 = missing).
    /// </summary>
    public static (uint Uid, UnixFileMode Mode)? FileOwnerAndMode(string path, out int errno)
    {
        errno = 0;
        if (OperatingSystem.IsMacOS())
        {
            // struct stat with 64-bit inodes: st_mode at 4 (16 bits), st_uid at 16. On x86_64 the
            // plain symbol still has the old layout; the $INODE64 variant has this one.
            var macBuffer = new byte[256];
            var result = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? stat_inode64(path, macBuffer) : stat_mac(path, macBuffer);
            if (result != 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return null;
            }
            return (BitConverter.ToUInt32(macBuffer, 16), (UnixFileMode)(BitConverter.ToUInt16(macBuffer, 4) & 0xFFF));
        }
        // struct statx has one layout on every Linux architecture (unlike struct stat): stx_uid
        // at 20, stx_mode at 28 (16 bits).
        var buffer = new byte[256];
        if (statx(AT_FDCWD, path, 0, STATX_MODE | STATX_UID, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        return (BitConverter.ToUInt32(buffer, 20), (UnixFileMode)(BitConverter.ToUInt16(buffer, 28) & 0xFFF));
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int stat_mac(string path, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "stat$INODE64", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int stat_inode64(string path, [Out] byte[] buffer);
}

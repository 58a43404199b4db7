using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>Detaching a daemon from its terminal: a session of its own and standard descriptors pointed elsewhere.</summary>
internal static partial class Posix
{
    /// <summary>Points descriptor <paramref name="target"/> (0, 1 or 2) at the file <paramref name="handle"/> refers to.</summary>
    public static void Redirect(SafeFileHandle handle, int target)
    {
        if (dup2((int)handle.DangerousGetHandle(), target) < 0)
        {
            throw new IOException($"dup2(…, {target}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// True when another open file description holds a lock that <see cref="TryLockExclusive"/>
    /// would conflict with. Asks without taking the lock, so a check never makes a starting
    /// owner fail.
    /// </summary>
    public static bool IsLockedByAnother(SafeFileHandle handle)
    {
        if (OperatingSystem.IsMacOS())
        {
            var mac = new FlockMacOS { l_type = F_WRLCK_MACOS, l_whence = 0 };
            return fcntl_flock_macos(handle, F_GETLK_MACOS, ref mac) == 0 && mac.l_type != F_UNLCK_MACOS;
        }
        var linux = new FlockLinux { l_type = F_WRLCK_LINUX, l_whence = 0 };
        return fcntl_flock_linux(handle, F_OFD_GETLK, ref linux) == 0 && linux.l_type != F_UNLCK_LINUX;
    }

    /// <summary>True when <paramref name="fd"/> is open without close-on-exec: the runtime opens everything close-on-exec, so such a descriptor was inherited.</summary>
    public static bool IsInheritable(int fd)
    {
        var flags = fcntl_int(fd, F_GETFD, 0);
        return flags >= 0 && (flags & FD_CLOEXEC) == 0;
    }

    private const int F_OFD_GETLK = 36;
    private const int F_GETLK_MACOS = 7;
    private const short F_UNLCK_LINUX = 2;
    private const short F_UNLCK_MACOS = 2;

}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>Detaching a daemon from its terminal: a session of its own and standard descriptors pointed elsewhere.</summary>
internal static partial class Posix
{
    /// <summary>
    /// Opens an existing file for appending with O_APPEND, so that every write lands at the end
    /// even with other writers (.NET's FileMode.Append only seeks once, at open). Close-on-exec.
    /// </summary>
    public static int OpenForAppend(string path)
    {
        var flags = OperatingSystem.IsMacOS() ? O_WRONLY | 0x8 | 0x1000000 : O_WRONLY | 0x400 | 0x80000;
        var fd = open(path, flags);
        if (fd < 0)
        {
            throw new IOException($"open({path}, O_APPEND) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        return fd;
    }

    /// <summary>Points descriptor <paramref name="target"/> at <paramref name="fd"/>.</summary>
    public static void Redirect(int fd, int target)
    {
        if (dup2(fd, target) < 0)
        {
            throw new IOException($"dup2({fd}, {target}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Writes all of <paramref name="bytes"/> to descriptor <paramref name="fd"/> itself. The
    /// supervisor logs this way: Console.Error keeps a duplicate of the descriptor 2 it first
    /// saw, which after a log rotation still names the old file.
    /// </summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var written = write(fd, bytes, bytes.Length);
            if (written < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == 4)
                {
                    continue; // EINTR
                }
                throw new IOException($"write({fd}) failed: errno {errno}");
            }
            bytes = bytes[(int)written..];
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, ReadOnlySpan<byte> buffer, nint count);

    private const int O_WRONLY = 1;

    /// <summary>
    /// Makes this process the leader of a process group of its own, so that whoever supervises
    /// it can end the whole group (its agents and tasks too) with one kill(-pid). Only for a
    /// process without a terminal: a foreground process must stay in the terminal's group.
    /// </summary>
    public static void LeadOwnProcessGroup() => _ = setpgid(0, 0);

    /// <summary>SIGKILL to every process in the group <paramref name="pgid"/>; false when none is left.</summary>
    public static bool KillGroup(int pgid)
    {
        try
        {
            return pgid > 1 && Kill(-pgid, SIGKILL);
        }
        catch (IOException)
        {
            // EPERM: not ours to kill.
            return false;
        }
    }

    /// <summary>This process's parent now (1, or a subreaper, once the parent died).</summary>
    public static int ParentPid() => OperatingSystem.IsWindows() ? 0 : getppid();

    /// <summary>Points descriptor <paramref name="target"/> (0, 1 or 2) at the file <paramref name="handle"/> refers to.</summary>
    public static void Redirect(SafeFileHandle handle, int target)
    {
        Redirect((int)handle.DangerousGetHandle(), target);
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

    [LibraryImport("libc")]
    private static partial int getppid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setpgid(int pid, int pgid);

    private const int F_OFD_GETLK = 36;
    private const int F_GETLK_MACOS = 7;
    private const short F_UNLCK_LINUX = 2;
    private const short F_UNLCK_MACOS = 2;

}

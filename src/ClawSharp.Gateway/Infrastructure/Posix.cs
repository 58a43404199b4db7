using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>
/// The few libc calls .NET does not expose: sending an arbitrary signal, duplicating a
/// descriptor above a floor, open-file-description record locks, and what a respawned
/// gateway needs to detach (setsid, stdin on /dev/null) and to inherit its listening socket.
/// </summary>
internal static partial class Posix
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGINT = 2;

    /// <summary>SIGUSR1's number differs by platform; <c>PosixSignal</c> has no member for it.</summary>
    public static int SIGUSR1 => OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 30 : 10;

    /// <summary>SIGCONT resumes a stopped (SIGSTOP) process, which only then acts on a pending SIGTERM; its number differs by platform.</summary>
    public static int SIGCONT => OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 19 : 18;

    private const int ESRCH = 3;
    private const int F_DUPFD = 0;
    private const int F_GETFD = 1;
    private const int F_SETFD = 2;
    private const int FD_CLOEXEC = 1;
    private const int O_RDWR = 2;
    private const int F_DUPFD_CLOEXEC_LINUX = 1030;
    private const int F_DUPFD_CLOEXEC_MACOS = 67;
    private const int F_OFD_SETLK = 37;
    private const int F_SETLK_MACOS = 8;
    private const short F_WRLCK_LINUX = 1;
    private const short F_WRLCK_MACOS = 3;

    /// <summary>Sends <paramref name="signal"/>; false when the process does not exist.</summary>
    public static bool Kill(int pid, int signal)
    {
        if (kill(pid, signal) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno == ESRCH)
        {
            return false;
        }
        throw new IOException($"kill({pid}, {signal}) failed: errno {errno}");
    }

    /// <summary>True when a process with this PID exists (it may belong to anyone).</summary>
    public static bool ProcessExists(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }
        if (kill(pid, 0) == 0)
        {
            return true;
        }
        return Marshal.GetLastPInvokeError() != ESRCH;
    }

    /// <summary>Duplicates <paramref name="fd"/> to the lowest free number ≥ <paramref name="minimum"/>, close-on-exec.</summary>
    public static int DuplicateAtLeast(int fd, int minimum)
    {
        var command = OperatingSystem.IsMacOS() ? F_DUPFD_CLOEXEC_MACOS : F_DUPFD_CLOEXEC_LINUX;
        var duplicate = fcntl_int(fd, command, minimum);
        if (duplicate < 0)
        {
            throw new IOException($"fcntl(F_DUPFD_CLOEXEC) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        return duplicate;
    }

    /// <summary>
    /// Duplicates <paramref name="fd"/> to the lowest free number ≥ <paramref name="minimum"/>
    /// WITHOUT close-on-exec, so that a child started next inherits it. Hazard: every process
    /// spawned while it is open inherits it; close it right after the one spawn it is for.
    /// </summary>
    public static int DuplicateInheritable(int fd, int minimum)
    {
        var duplicate = fcntl_int(fd, F_DUPFD, minimum);
        if (duplicate < 0)
        {
            throw new IOException($"fcntl(F_DUPFD) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        return duplicate;
    }

    /// <summary>Marks an inherited descriptor close-on-exec, so that this process's own children do not inherit it.</summary>
    public static void SetCloseOnExec(int fd)
    {
        var flags = fcntl_int(fd, F_GETFD, 0);
        if (flags < 0 || fcntl_int(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
        {
            throw new IOException($"fcntl(F_SETFD) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>True when <paramref name="fd"/> is an open descriptor of this process.</summary>
    public static bool IsOpen(int fd) => fcntl_int(fd, F_GETFD, 0) >= 0;

    public static void Close(int fd) => _ = close(fd);

    /// <summary>
    /// Leaves the parent's session and process group, so that a terminal's Ctrl+C or hangup
    /// aimed at the parent's group never reaches this process. False when already a group leader.
    /// </summary>
    public static bool CreateSession() => setsid() >= 0;

    /// <summary>Points stdin at /dev/null: a detached process must not read, or hold open, its parent's input.</summary>
    public static void RedirectStdinToDevNull()
    {
        var fd = open("/dev/null", O_RDWR);
        if (fd < 0)
        {
            throw new IOException($"open(/dev/null) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        try
        {
            if (dup2(fd, 0) < 0)
            {
                throw new IOException($"dup2(/dev/null, 0) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            if (fd != 0)
            {
                _ = close(fd);
            }
        }
    }

    /// <summary>
    /// Tries to take an exclusive, non-blocking write lock on the whole file. Linux uses an
    /// open-file-description lock: it belongs to this handle, is released by the kernel when
    /// the process dies, and does not conflict with the flock(LOCK_SH) that .NET takes when
    /// any reader opens the file, so the lock's content stays readable.
    /// </summary>
    public static bool TryLockExclusive(SafeFileHandle handle)
    {
        int result;
        if (OperatingSystem.IsMacOS())
        {
            var mac = new FlockMacOS { l_type = F_WRLCK_MACOS, l_whence = 0 };
            result = fcntl_flock_macos(handle, F_SETLK_MACOS, ref mac);
        }
        else
        {
            var linux = new FlockLinux { l_type = F_WRLCK_LINUX, l_whence = 0 };
            result = fcntl_flock_linux(handle, F_OFD_SETLK, ref linux);
        }
        return result == 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct FlockLinux
    {
        public short l_type;
        public short l_whence;
        public long l_start;
        public long l_len;
        public int l_pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct FlockMacOS
    {
        public long l_start;
        public long l_len;
        public int l_pid;
        public short l_type;
        public short l_whence;
    }

    /// <summary>The soft limit on this process's open descriptors (RLIMIT_NOFILE); null on Windows, when it cannot be read, or when unlimited.</summary>
    public static long? OpenFileLimit()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        var resource = OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 8 : 7;
        return getrlimit(resource, out var limit) == 0 && limit.Current < long.MaxValue ? (long)limit.Current : null;
    }

    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out Rlimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsid();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup2(int oldfd, int newfd);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int fcntl_int(int fd, int cmd, int arg);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int fcntl_flock_linux(SafeFileHandle fd, int cmd, ref FlockLinux lck);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int fcntl_flock_macos(SafeFileHandle fd, int cmd, ref FlockMacOS lck);
}

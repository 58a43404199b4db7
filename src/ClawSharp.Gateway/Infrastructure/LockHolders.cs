namespace ClawSharp.Gateway.Infrastructure;

/// <summary>What <see cref="LockHolders.Check"/> found.</summary>
internal enum LockHolding
{
    /// <summary>The process holds a write lock on the file: it is the lock's owner.</summary>
    Holds,

    /// <summary>The process holds no lock on the file (or is gone, or is not this user's): it is not the owner, whatever a state file says.</summary>
    DoesNotHold,

    /// <summary>This system cannot tell (no <c>/proc</c>: macOS); callers fall back on the start-time check alone.</summary>
    Unknown,
}

/// <summary>
/// Does a PID hold the lock on a lock file? A state file (<c>gateway.lock</c>, <c>daemon.json</c>)
/// only names a PID; anyone who can write it can name any process, and a start time that matches
/// proves only that the PID was not reused. Before a signal, the named process must be the one
/// holding the kernel's lock. The locks are open-file-description locks, whose holder
/// <c>F_OFD_GETLK</c> and <c>/proc/locks</c> report as pid -1; but <c>/proc/PID/fdinfo/FD</c>
/// lists, under <c>lock:</c>, the locks held through that descriptor's open file description,
/// naming the file as <c>MAJOR:MINOR:INODE</c>. So: the process holds the lock when one of its
/// descriptors shows a <c>WRITE</c> lock on the lock file's inode. On overlayfs (a container's
/// <c>--volatile=overlay</c> root) the listing names the upper layer's inode, not the one a
/// <c>stat</c> of the path sees: so a descriptor that is the lock file itself (its
/// <c>/proc/PID/fd/N</c> link resolves to the same file) and shows a <c>WRITE</c> lock counts too.
/// </summary>
internal static class LockHolders
{
    public static LockHolding Check(int pid, string lockFile)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/fdinfo"))
        {
            return LockHolding.Unknown;
        }
        if (pid <= 0 || Posix.LockListingId(lockFile) is not { } file)
        {
            return LockHolding.DoesNotHold;
        }
        try
        {
            foreach (var info in Directory.EnumerateFiles($"/proc/{pid}/fdinfo"))
            {
                if (ShowsWriteLock(info, file) || (IsTheFile(pid, info, file) && ShowsWriteLock(info, file: null)))
                {
                    return LockHolding.Holds;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone, or another user's process: either way not a lock owner this CLI may signal.
        }
        return LockHolding.DoesNotHold;
    }

    /// <summary>True unless <paramref name="pid"/> is known not to hold <paramref name="lockFile"/> (<see cref="LockHolding.Unknown"/> counts as true).</summary>
    public static bool MayHold(int pid, string lockFile) => Check(pid, lockFile) != LockHolding.DoesNotHold;

    private static bool IsTheFile(int pid, string fdinfo, string file) =>
        Posix.LockListingId($"/proc/{pid}/fd/{Path.GetFileName(fdinfo)}") == file;

    /// <summary>A <c>WRITE</c> lock through this descriptor: on <paramref name="file"/>, or on whatever it names when null.</summary>
    private static bool ShowsWriteLock(string fdinfo, string? file)
    {
        string text;
        try
        {
            text = File.ReadAllText(fdinfo);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        foreach (var line in text.Split('\n'))
        {
            // lock:	1: OFDLCK ADVISORY  WRITE -1 fe:00:11846022 0 EOF
            if (line.StartsWith("lock:", StringComparison.Ordinal))
            {
                var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (words.Contains("WRITE") && (file is null || words.Contains(file)))
                {
                    return true;
                }
            }
        }
        return false;
    }
}

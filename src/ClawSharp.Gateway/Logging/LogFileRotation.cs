using System.Diagnostics;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Logging;

/// <summary>
/// Rotation of a log file that several processes append to (a gateway and its fresh-PID copy,
/// gateways sharing a log directory). Rotating renames, never truncates: a writer that still
/// holds the renamed file appends its lines there, whole, and moves on at its next write, when
/// it finds its file full. One process rotates at a time, under a lock on
/// <c>gateway.log.lock</c>, and only a file that is full at the path when it holds the lock: a
/// second writer that finds its file full after the first rotated only reopens the path.
/// </summary>
internal static class LogFileRotation
{
    /// <summary>How long a writer waits for another writer's rotation before it writes on to its current file.</summary>
    public static readonly TimeSpan DefaultLockWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(5);

    /// <summary>True when a line of <paramref name="lineBytes"/> makes a file of <paramref name="length"/> bytes pass the limit (an empty file always takes one line).</summary>
    public static bool IsFull(long length, int lineBytes, LogFileOptions options) =>
        length > 0 && length + lineBytes > options.MaxFileBytes;

    /// <summary>
    /// Called by a writer whose <paramref name="current"/> file is full. Returns the file to write
    /// to: the one at <paramref name="path"/> (rotated first if it is still full), or
    /// <paramref name="current"/> when another writer held the lock past <paramref name="lockWait"/>.
    /// </summary>
    public static AppendOnlyLogFile Roll(string path, AppendOnlyLogFile current, int lineBytes, LogFileOptions options, TimeSpan lockWait)
    {
        using var lockFile = AtomicFile.OpenLockFile(path + ".lock");
        if (!WaitForLock(lockFile, lockWait))
        {
            return current;
        }
        var next = AppendOnlyLogFile.Open(path);
        if (IsFull(next.Length, lineBytes, options))
        {
            next.Dispose();
            ShiftBackups(path, options.MaxBackups);
            next = AppendOnlyLogFile.Open(path);
        }
        current.Dispose();
        return next;
    }

    /// <summary>gateway.log → gateway.1.log → gateway.2.log …; the oldest beyond <paramref name="maxBackups"/> is dropped.</summary>
    private static void ShiftBackups(string path, int maxBackups)
    {
        if (maxBackups == 0)
        {
            File.Delete(path);
            return;
        }
        // Backups are numbered without gaps: shift the run that starts at 1, the last one over the oldest kept.
        var existing = 0;
        while (existing < maxBackups - 1 && File.Exists(GatewayLogFiles.BackupOf(path, existing + 1)))
        {
            existing++;
        }
        for (var n = existing; n >= 1; n--)
        {
            File.Move(GatewayLogFiles.BackupOf(path, n), GatewayLogFiles.BackupOf(path, n + 1), overwrite: true);
        }
        File.Move(path, GatewayLogFiles.BackupOf(path, 1), overwrite: true);
    }

    private static bool WaitForLock(FileStream lockFile, TimeSpan wait)
    {
        var started = Stopwatch.GetTimestamp();
        while (!Posix.TryLockExclusive(lockFile.SafeFileHandle))
        {
            if (Stopwatch.GetElapsedTime(started) >= wait)
            {
                return false;
            }
            Thread.Sleep(LockPoll);
        }
        return true;
    }
}

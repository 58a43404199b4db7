using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Daemon;

/// <summary>
/// Makes the supervisor a daemon: its own session (a closing terminal sends it nothing),
/// stdin and stdout from/to /dev/null, stderr appended to <c>logs/supervisor.log</c>. Its
/// gateway children inherit these descriptors: the gateway's stdout (its console log, a copy
/// of gateway.log) is dropped, its stderr (warnings, and anything the runtime prints when it
/// dies) lands in the supervisor log.
/// </summary>
internal static class ProcessDetach
{
    public static void Detach(StateDirectory state)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        // False when already a process group leader (started by a shell job): detached enough.
        _ = Posix.CreateSession();
        var inherited = StandardTargets();
        using (var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite))
        {
            Posix.Redirect(devNull, 0);
            Posix.Redirect(devNull, 1);
            // The runtime keeps duplicates of the standard descriptors it was started with, and a
            // caller may leak descriptors without close-on-exec. 'gateway start' hands the
            // supervisor private pipes, but a supervisor started any other way would hold its
            // caller's pipes open for life (a script would never see end-of-file), so they are
            // pointed at /dev/null too; never closed, because the runtime may still write to them
            // and a closed number gets reused.
            foreach (var duplicate in LeftoverDescriptors(inherited))
            {
                Posix.Redirect(devNull, duplicate);
                // dup2 clears close-on-exec: without this, every gateway and agent would inherit them.
                Posix.SetCloseOnExec(duplicate);
            }
        }
        RedirectStderrToLog(state);
    }

    /// <summary>What descriptors 0-2 point at (Linux, from /proc), except /dev/null.</summary>
    private static HashSet<string> StandardTargets()
    {
        var targets = new HashSet<string>(StringComparer.Ordinal);
        for (var fd = 0; fd <= 2; fd++)
        {
            if (LinkOf(fd) is { } target && target != "/dev/null")
            {
                targets.Add(target);
            }
        }
        return targets;
    }

    /// <summary>Descriptors above 2 that point where 0-2 pointed, or that were inherited.</summary>
    private static List<int> LeftoverDescriptors(HashSet<string> targets)
    {
        if (!Directory.Exists("/proc/self/fd"))
        {
            return [];
        }
        return [.. Directory.GetFileSystemEntries("/proc/self/fd")
            .Select(entry => int.TryParse(Path.GetFileName(entry), out var fd) ? fd : -1)
            .Where(fd => fd > 2 && ((LinkOf(fd) is { } target && targets.Contains(target)) || Posix.IsInheritable(fd)))];
    }

    private static string? LinkOf(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Rotates the supervisor log once it passes <paramref name="options"/>' <c>MaxFileBytes</c>
    /// (<c>logs.maxFileBytes</c>), keeping <c>MaxBackups</c> (<c>logs.maxBackups</c>) copies:
    /// <c>supervisor.log.1</c> the newest. Called before each gateway start and every few seconds
    /// while one runs (<see cref="SupervisorLogRotation"/>). It copies and then truncates, never
    /// renames: the gateway child writes its stderr to the same open file (O_APPEND), inherited,
    /// which a rename would leave growing as <c>supervisor.log.1</c>; after the truncation every
    /// writer appends at the new end. A line written between the copy and the truncation is lost.
    /// </summary>
    /// <returns>True when it rotated.</returns>
    public static bool RotateIfLarge(StateDirectory state, LogFileOptions options)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }
        try
        {
            var log = new FileInfo(state.SupervisorLogFile);
            if (!log.Exists || log.Length <= options.MaxFileBytes)
            {
                return false;
            }
            var path = state.SupervisorLogFile;
            if (options.MaxBackups > 0)
            {
                for (var n = options.MaxBackups - 1; n >= 1; n--)
                {
                    if (File.Exists($"{path}.{n}"))
                    {
                        File.Move($"{path}.{n}", $"{path}.{n + 1}", overwrite: true);
                    }
                }
                CopyPrivate(path, $"{path}.1");
            }
            using (var truncate = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete }))
            {
                truncate.SetLength(0);
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A log that cannot rotate must not stop the supervisor: keep writing where we are.
            return false;
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void CopyPrivate(string from, string to)
    {
        using var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var target = new FileStream(to, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = AtomicFile.PrivateFileMode,
        });
        source.CopyTo(target);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void RedirectStderrToLog(StateDirectory state)
    {
        try
        {
            StateDirectory.EnsurePrivateDirectory(state.LogsDirectory);
            // Created 0600 here; opened below with O_APPEND, because a leftover gateway or a losing
            // second supervisor may write to the same file, and FileMode.Append only seeks once.
            using (new FileStream(state.SupervisorLogFile, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite | FileShare.Delete,
                UnixCreateMode = AtomicFile.PrivateFileMode,
            }))
            {
            }
            var log = Posix.OpenForAppend(state.SupervisorLogFile);
            try
            {
                Posix.Redirect(log, 2);
            }
            finally
            {
                Posix.Close(log);
            }

        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No log directory (a full or read-only disk): lose the log, never the daemon.
            using var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Write);
            Posix.Redirect(devNull, 2);
        }
    }
}

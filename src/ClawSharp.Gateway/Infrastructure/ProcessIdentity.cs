using System.Diagnostics;
using System.Globalization;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>What a file recorded about a process, checked against the process now holding that PID.</summary>
internal enum ProcessMatch
{
    /// <summary>No process has that PID.</summary>
    Dead,

    /// <summary>The PID is alive and started when the record says: the same process.</summary>
    Same,

    /// <summary>The PID is alive but started at another time: the PID was reused by another program.</summary>
    Reused,
}

/// <summary>
/// A PID plus the process start time, so that a PID read from a file is trusted only when
/// the process behind it is still the one that wrote it (PIDs get reused).
/// </summary>
/// <param name="Pid">The process id.</param>
/// <param name="StartTime">An opaque, stable start stamp: clock ticks since boot on Linux
/// (<c>/proc/PID/stat</c> field 22), UTC ticks elsewhere.</param>
internal sealed record ProcessIdentity(int Pid, long StartTime)
{
    /// <summary>This process.</summary>
    public static ProcessIdentity Current { get; } = Of(Environment.ProcessId)
        ?? new ProcessIdentity(Environment.ProcessId, 0);

    /// <summary>The identity of the live process <paramref name="pid"/>, or null when there is none.</summary>
    public static ProcessIdentity? Of(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }
        return OperatingSystem.IsLinux() ? OfLinux(pid) : OfPortable(pid);
    }

    /// <summary>Checks a recorded identity against the process that now has its PID.</summary>
    public static ProcessMatch Check(int pid, long recordedStartTime)
    {
        var now = Of(pid);
        if (now is null)
        {
            return ProcessMatch.Dead;
        }
        return now.StartTime == recordedStartTime ? ProcessMatch.Same : ProcessMatch.Reused;
    }

    /// <summary>Waits until none of <paramref name="processes"/> is that process any more; false when the timeout came first.</summary>
    public static async Task<bool> WaitForExitAsync(IReadOnlyCollection<ProcessIdentity> processes, TimeSpan timeout, TimeProvider time,
        CancellationToken cancellationToken = default)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (processes.Any(p => Check(p.Pid, p.StartTime) == ProcessMatch.Same))
        {
            if (time.GetUtcNow() >= deadline)
            {
                return false;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>The process's command line (arguments joined by spaces), or null when unreadable.</summary>
    public static string? CommandLine(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            var raw = File.ReadAllText($"/proc/{pid}/cmdline");
            return raw.TrimEnd('\0').Replace('\0', ' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static ProcessIdentity? OfLinux(int pid) =>
        ProcStat.Fields(pid) is { } fields
        && long.TryParse(fields[ProcStat.StartTime], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? new ProcessIdentity(pid, start)
            : null;

    private static ProcessIdentity? OfPortable(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : new ProcessIdentity(pid, process.StartTime.ToUniversalTime().Ticks);
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}

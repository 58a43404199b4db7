using System.Globalization;

namespace ClawSharp.Daemon;

/// <summary>
/// The last run that ended without a clean stop: a gateway killed by a signal (kill -9, the OOM
/// killer, a segfault), seen by its supervisor; or a supervisor that died (its <c>daemon.json</c>
/// still said starting, running or backoff), found by the next supervisor start or <c>gateway stop</c>.
/// Kept in <c>daemon.json</c> (<c>lastUncleanEnd</c>) until the next unclean end replaces it.
/// </summary>
/// <param name="Process"><c>gateway</c> or <c>supervisor</c>: which process ended uncleanly.</param>
/// <param name="Pid">Its PID.</param>
/// <param name="At">When it ended, or, when <paramref name="LastSeen"/>, the last time it was known alive.</param>
/// <param name="LastSeen">True when the end itself was not seen: <paramref name="At"/> is the supervisor's last write of daemon.json.</param>
/// <param name="Signal">The signal that ended it, when known.</param>
/// <param name="Description">For people: "gateway pid 12 killed by signal 9 (SIGKILL)".</param>
/// <param name="LastRssBytes">The gateway's last sampled resident memory (VmRSS), when known.</param>
/// <param name="LastLogLines">The gateway log's last lines at that end (rendered).</param>
/// <param name="RecordedAt">When this was recorded.</param>
internal sealed record UncleanEnd(
    string Process,
    int Pid,
    DateTimeOffset At,
    bool LastSeen,
    int? Signal,
    string Description,
    long? LastRssBytes,
    IReadOnlyList<string> LastLogLines,
    DateTimeOffset RecordedAt)
{
    /// <summary>A gateway the supervisor saw killed by <paramref name="exit"/>'s signal; null when it was not a signal.</summary>
    public static UncleanEnd? OfGateway(int pid, DaemonExit exit, long? lastRss, IReadOnlyList<string> logLines) =>
        exit.Signal is { } signal
            ? new UncleanEnd("gateway", pid, exit.At, false, signal, $"gateway pid {pid} killed by {exit.Description}", lastRss, logLines, exit.At)
            : null;

    /// <summary>
    /// The previous supervisor, when <paramref name="previous"/> (its daemon.json, read by whoever now holds
    /// supervisor.lock, so it is dead) does not say it stopped or failed; null when it ended cleanly.
    /// </summary>
    public static UncleanEnd? OfLostSupervisor(DaemonState previous, IReadOnlyList<string> logLines, DateTimeOffset now)
    {
        if (previous.State is DaemonPhase.Stopped or DaemonPhase.Failed)
        {
            return null;
        }
        var gateway = previous.GatewayPid is { } pid ? $"; its gateway was pid {pid}" : "";
        var phase = previous.State.ToString().ToLowerInvariant();
        return new UncleanEnd("supervisor", previous.SupervisorPid, previous.UpdatedAt, true, null,
            $"supervisor pid {previous.SupervisorPid} ended without a clean stop while {phase} (killed or out of memory; signal unknown){gateway}",
            previous.GatewayRssBytes, logLines, now);
    }

    /// <summary>"123.4 MB".</summary>
    public static string Megabytes(long bytes) => (bytes / 1024d / 1024d).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
}

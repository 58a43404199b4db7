using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Logging;

namespace ClawSharp.Daemon;

/// <summary>A gateway run that ended: whose log lines the next start keeps for <c>gateway logs --previous</c>.</summary>
/// <param name="GatewayPid">Its PID, when known.</param>
/// <param name="StartedAt">When it started, when known.</param>
/// <param name="End">How it ended, for people.</param>
internal sealed record RunEnd(int? GatewayPid, DateTimeOffset? StartedAt, string End);

/// <summary>What a starting supervisor takes over from the runs before it.</summary>
/// <param name="Crashes">The crash history (crash-history.json), so the storm limit holds across supervisor deaths.</param>
/// <param name="LastUncleanEnd">The previous supervisor's unclean end, found now, else the last one on record.</param>
/// <param name="PreviousRun">The gateway run before this supervisor, when one is on record.</param>
/// <param name="PreviousState">daemon.json as the supervisor before this one left it, when readable.</param>
internal sealed record SupervisorInheritance(IReadOnlyList<DateTimeOffset> Crashes, UncleanEnd? LastUncleanEnd, RunEnd? PreviousRun,
    DaemonState? PreviousState = null)
{
    /// <summary>
    /// Order: the crash history (a corrupt or odd file is logged and ignored); the previous
    /// daemon.json: when it does not say stopped or failed, its supervisor died (this process holds
    /// supervisor.lock now), which is recorded as an unclean end with the log's last lines, and the
    /// crash history carries over; after a clean stop or a give-up, this start acknowledges it.
    /// </summary>
    public static SupervisorInheritance Read(StateDirectory state, DateTimeOffset now, SupervisorLog log)
    {
        var history = CrashHistoryStore.Read(state, now);
        if (history.Problem is { } problem)
        {
            log.Warning($"crash history: {problem}");
        }
        switch (DaemonStateFile.Read(state))
        {
            case DaemonStateRead.Found { State: var previous }:
                var unclean = UncleanEnd.OfLostSupervisor(previous, GatewayLogFiles.Tail(state, Supervisor.KeptLogLines), now);
                if (unclean is not null)
                {
                    log.Warning($"the previous run ended uncleanly: {unclean.Description}; last seen at {unclean.At:O}");
                }
                var run = previous.GatewayStartedAt is null ? null
                    : new RunEnd(previous.GatewayPid, previous.GatewayStartedAt,
                        unclean?.Description ?? previous.LastExit?.Description ?? "unknown");
                // A supervisor that gave up (failed) or was stopped ended cleanly, and this start is the operator's answer to it:
                // its crashes are acknowledged, or the first crash of the new run would give up at once. After an unclean end they count.
                var crashes = previous.State is DaemonPhase.Failed or DaemonPhase.Stopped && unclean is null ? [] : history.Crashes;
                if (crashes.Count == 0 && history.Crashes.Count > 0)
                {
                    log.Info($"the previous supervisor {previous.State.ToString().ToLowerInvariant()} cleanly: its {history.Crashes.Count} crash(es) are acknowledged by this start");
                }
                return new SupervisorInheritance(crashes, unclean ?? previous.LastUncleanEnd, run, previous);
            case DaemonStateRead.Corrupt corrupt:
                log.Warning($"previous daemon state ignored: {corrupt.Problem}");
                break;
        }
        return new SupervisorInheritance(history.Crashes, null, null);
    }
}

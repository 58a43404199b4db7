using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Daemon;

/// <summary>Puts <c>daemon.json</c> right when its supervisor is gone (killed, or died) and left it saying otherwise.</summary>
internal static class DaemonCleanup
{
    /// <summary>
    /// Marks the daemon stopped, under <c>supervisor.lock</c>; does nothing when a live
    /// supervisor holds the lock (it owns the file) or the file already says stopped or failed.
    /// </summary>
    /// <param name="state">The state directory.</param>
    /// <param name="why">Recorded as the failure reason, for status.</param>
    /// <param name="time">The clock.</param>
    /// <param name="lockWait">How long to wait for the lock: a killed process shows as a zombie
    /// before its last thread has let go of its descriptors, and so of the lock.</param>
    public static void MarkStopped(StateDirectory state, string why, TimeProvider time, TimeSpan lockWait = default)
    {
        if (!Directory.Exists(state.Root))
        {
            // No state directory (a mistyped --home): no daemon.json to put right, and the lock file could not be created.
            return;
        }
        using var held = SupervisorLock.TryAcquire(state.SupervisorLockFile, lockWait);
        if (held is null || DaemonStateFile.Read(state) is not DaemonStateRead.Found { State: var daemon }
            || daemon.State == DaemonPhase.Stopped)
        {
            return;
        }
        if (daemon.State == DaemonPhase.Failed)
        {
            // 'gateway stop' after a crash storm acknowledges it: stopped, keeping why it failed, the last exit and log lines.
            why = daemon.FailureReason ?? why;
        }
        var now = time.GetUtcNow();
        // Its supervisor is gone and never said stopped or failed: it died (kill -9, OOM). Say so before the file says stopped.
        var unclean = UncleanEnd.OfLostSupervisor(daemon, Gateway.Logging.GatewayLogFiles.Tail(state, Supervisor.KeptLogLines), now);
        DaemonStateFile.Write(state, daemon with
        {
            LastUncleanEnd = unclean ?? daemon.LastUncleanEnd,
            State = DaemonPhase.Stopped,
            GatewayPid = null,
            GatewayStartTime = null,
            NextStartAt = null,
            Port = null,
            FailureReason = why,
            UpdatedAt = now,
        });
    }
}

using ClawSharp.Control.Managers;
using ClawSharp.Daemon;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Restart;
using ClawSharp.Gateway.Storage;
using ClawSharp.Gateway.Work;

namespace ClawSharp.Control.Lifecycle;

/// <summary>
/// <c>gateway stop</c>: asks the owner to stop (the manager's <see cref="IGatewayManager.StopOwner"/>:
/// the supervisor, else the gateway the lock names). Only verified PIDs are signalled (a dead or
/// reused PID never is, nor one that does not hold the lock its state file names it in: that is a failure). Order of a round: delete any restart intent; SIGTERM the owner; wait
/// (<see cref="ProcessIdentity.WaitForExitAsync"/>) up to the timeout; else SIGKILL (the manager
/// picks the groups) and wait 10 s more, then end the exec children the killed gateway recorded; then, when a gateway took over meanwhile, another round
/// (three at most). The daemon state is left saying stopped.
/// </summary>
internal static class GatewayStopper
{
    private const int MaxRounds = 3;
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);

    /// <param name="state">The state directory.</param>
    /// <param name="timeout">How long a graceful stop may take before SIGKILL.</param>
    /// <param name="warn">Told at once when a stop overran and SIGKILL follows.</param>
    /// <param name="time">The clock of the waits.</param>
    /// <param name="cancellationToken">Ends the waits (the processes are left as they are).</param>
    public static async Task<StopResult> StopAsync(StateDirectory state, TimeSpan timeout, Action<string> warn, TimeProvider time, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var stopped = new List<string>();
        for (var round = 1; ; round++)
        {
            var snapshot = DaemonSnapshot.Take(state);
            warnings = [.. warnings.Concat(snapshot.Problems).Distinct()];
            var manager = GatewayManagers.For(snapshot);
            if (manager.StopOwner(snapshot) is not { } owner)
            {
                if (snapshot.ForeignLockOwner is { } impostor)
                {
                    // The lock names a live process that does not hold it: refuse, loudly, rather than say "not running".
                    return new StopResult.Failed(impostor);
                }
                DaemonCleanup.MarkStopped(state, "found not running by 'gateway stop'", time);
                return round == 1 ? new StopResult.NotRunning(warnings) : new StopResult.Stopped($"gateway stopped ({string.Join("; then ", stopped)})", warnings);
            }
            var gateway = UnmanagedGateway.LockGateway(snapshot) ?? snapshot.StartingGateway;
            var targets = new[] { owner, gateway, snapshot.StartingGateway }.OfType<ProcessIdentity>().Distinct().ToList();
            var what = manager.Describe(snapshot, owner, gateway);
            stopped.Add(what);
            // A leftover restart intent would turn this SIGTERM into a restart.
            File.Delete(RestartIntentStore.PathOf(state));
            Posix.Kill(owner.Pid, Posix.SIGTERM);
            string why, message;
            if (await ProcessIdentity.WaitForExitAsync(targets, timeout, time, cancellationToken).ConfigureAwait(false))
            {
                (why, message) = ("stopped by 'gateway stop'", $"gateway stopped ({string.Join("; then ", stopped)})");
            }
            else
            {
                warn($"{what} did not stop within {timeout.TotalSeconds:0.###} s; sending SIGKILL");
                manager.Kill(snapshot, gateway, targets);
                if (!await ProcessIdentity.WaitForExitAsync(targets, KillWait, time, cancellationToken).ConfigureAwait(false))
                {
                    return new StopResult.Failed($"{what} survived SIGKILL");
                }
                EndExecChildren(state, gateway, time, warn);
                (why, message) = ($"killed by 'gateway stop' after the {timeout.TotalSeconds:0.###} s timeout",
                    $"gateway killed ({string.Join("; then ", stopped)}) after the {timeout.TotalSeconds:0.###} s timeout");
            }
            // The round's targets are gone: done, unless a gateway took over meanwhile (a fresh copy
            // that became ready just as its parent stopped), which gets a round of its own.
            if (DaemonSnapshot.Take(state).GatewayPid is { } successor && targets.All(t => t.Pid != successor))
            {
                if (round < MaxRounds)
                {
                    continue;
                }
                return new StopResult.Failed(
                    $"{message}, but pid {successor} took over each time ({MaxRounds} rounds); is another manager (systemd, a second 'gateway start') restarting it?");
            }
            DaemonCleanup.MarkStopped(state, why, time, LockWait);
            return new StopResult.Stopped(message, warnings);
        }
    }

    /// <summary>
    /// A killed gateway could not end its exec agents and tasks (each leads a session of its
    /// own): the ones it recorded in the store are ended now, not at its next start.
    /// </summary>
    private static void EndExecChildren(StateDirectory state, ProcessIdentity? gateway, TimeProvider time, Action<string> warn)
    {
        if (gateway is null)
        {
            return;
        }
        try
        {
            if (ExecChildReaper.ReapOf(state.StoreFile, gateway.Pid, time) is var ended and > 0)
            {
                warn($"ended {ended} process(es) of the killed gateway's exec agents and tasks");
            }
        }
        catch (Exception e) when (e is StoreException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            warn($"could not end the killed gateway's exec agents and tasks ({e.Message}); its next start ends them");
        }
    }
}

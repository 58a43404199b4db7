using System.Diagnostics;
using ClawSharp.Control.Lifecycle;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Logging;

namespace ClawSharp.Control.Managers;

/// <summary>
/// The built-in supervisor (<see cref="Supervisor"/>) as a manager. Start spawns it detached
/// (<c>gateway supervise</c>) and waits for its child to be ready; stop signals the supervisor
/// (it stops the gateway gracefully, then exits) and, past the timeout, kills its session's
/// groups; wake is SIGUSR1, which cuts a backoff short.
/// </summary>
internal sealed class BuiltinSupervisorManager : IGatewayManager
{
    public static readonly BuiltinSupervisorManager Instance = new();
    private const int FailureLogLines = 15;
    private static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(15);

    private BuiltinSupervisorManager()
    {
    }

    public GatewayManagerKind Kind => GatewayManagerKind.Builtin;

    /// <summary>
    /// Order: spawn the supervisor; poll daemon.json and readiness until ready, failed, the supervisor
    /// exited, or the timeout (still starting when it is alive and has not crashed), telling <see cref="GatewayLaunch.Progress"/> every second.
    /// </summary>
    public async Task<StartResult> StartAsync(GatewayLaunch launch, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        SupervisorProcess supervisor;
        try
        {
            supervisor = SupervisorProcess.Launch(launch.State, launch.Overrides);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new StartResult.Failed($"cannot start the supervisor: {e.Message}", ExitCode.Failure, [], StartFollowUp.None);
        }
        using (supervisor)
        {
            return await WaitForReadyAsync(launch, supervisor, started, cancellationToken).ConfigureAwait(false);
        }
    }

    public ProcessIdentity? StopOwner(DaemonSnapshot snapshot) => snapshot.Supervisor;

    public string Describe(DaemonSnapshot snapshot, ProcessIdentity owner, ProcessIdentity? gateway) =>
        gateway is null ? $"supervisor pid {owner.Pid}" : $"pid {gateway.Pid}, supervisor pid {owner.Pid}";

    public void Kill(DaemonSnapshot snapshot, ProcessIdentity? gateway, IReadOnlyCollection<ProcessIdentity> targets)
    {
        // Groups are checked while their leaders still live: a group is ours only when the supervisor
        // leads its own session (setsid) and the gateway, its recorded child, leads a group in it.
        var supervisorSession = snapshot.Supervisor is { } s && ProcessGroups.Of(s.Pid) is { } sm && sm.GroupId == s.Pid && sm.SessionId == s.Pid
            ? s.Pid : (int?)null;
        var gatewayGroup = supervisorSession is { } session && gateway is { } gw && snapshot.Daemon?.GatewayPid == gw.Pid
            && ProcessGroups.Of(gw.Pid) is { } gm && gm.GroupId == gw.Pid && gm.SessionId == session ? gw.Pid : (int?)null;
        foreach (var target in targets.Where(t => ProcessIdentity.Check(t.Pid, t.StartTime) == ProcessMatch.Same))
        {
            Posix.Kill(target.Pid == supervisorSession ? -target.Pid : target.Pid, Posix.SIGKILL);
        }
        if (gatewayGroup is { } group)
        {
            // The gateway's exec agents and tasks go with it.
            ProcessGroups.KillIfInSession(group, supervisorSession!.Value);
        }
    }

    public bool Wake(DaemonSnapshot snapshot)
    {
        if (snapshot.Supervisor is not { } supervisor)
        {
            return false;
        }
        Posix.Kill(supervisor.Pid, Posix.SIGUSR1);
        return true;
    }

    private static async Task<StartResult> WaitForReadyAsync(GatewayLaunch launch, SupervisorProcess supervisor, long started, CancellationToken cancellationToken)
    {
        var state = launch.State;
        var timeout = launch.Timeout ?? DefaultStartTimeout;
        var deadline = started + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var reported = started;
        while (true)
        {
            var daemon = DaemonStateFile.Read(state) is DaemonStateRead.Found found && found.State.SupervisorPid == supervisor.Pid ? found.State : null;
            // Ready is the child answering /readyz, seen here directly: waiting for the supervisor to write "running" would add its poll interval.
            if (daemon is { State: DaemonPhase.Starting or DaemonPhase.Running, GatewayPid: { } pid }
                && await GatewayReadiness.ReadyPortAsync(state, pid, cancellationToken).ConfigureAwait(false) is { } port)
            {
                return new StartResult.Started(pid, supervisor.Pid, port, Stopwatch.GetElapsedTime(started));
            }
            // Only lines this start's gateway wrote explain its failure; older ones would mislead.
            IReadOnlyList<string> LogLines() => daemon?.GatewayStartedAt is not null ? GatewayLogFiles.Tail(state, FailureLogLines) : [];
            if (daemon is { State: DaemonPhase.Failed })
            {
                return new StartResult.Failed($"the gateway did not start: {daemon.FailureReason} (last exit: {daemon.LastExit?.Description ?? "none"})",
                    ExitCode.Failure, LogLines(), StartFollowUp.ReadLogs);
            }
            if (supervisor.HasExited)
            {
                await supervisor.DrainAsync().ConfigureAwait(false);
                var again = DaemonSnapshot.Take(state);
                return GatewayStarter.AlreadyRunning(again) is { } other && again.Supervisor?.Pid != supervisor.Pid
                    ? new StartResult.Failed($"another start won the race: {other}", ExitCode.Failure, [], StartFollowUp.ReadLogs)
                    : new StartResult.Failed($"the supervisor exited with code {supervisor.ExitCode} before the gateway was ready{supervisor.Said()}",
                        ExitCode.Failure, LogLines(), StartFollowUp.ReadLogs);
            }
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                // Alive and no crash since this start: slow, not failed (it goes on in the background).
                if (daemon is null or { State: DaemonPhase.Starting, LastExit: null })
                {
                    return new StartResult.StillStarting(supervisor.Pid, daemon?.GatewayPid, Stopwatch.GetElapsedTime(started));
                }
                var phase = daemon?.State.ToString().ToLowerInvariant() ?? "unknown";
                return new StartResult.Failed(
                    $"the gateway was not ready within {timeout.TotalSeconds:0.###} s (daemon state: {phase}, last exit: {daemon?.LastExit?.Description ?? "none"})",
                    ExitCode.Failure, LogLines(), StartFollowUp.StillSupervised);
            }
            if (launch.Progress is { } progress && Stopwatch.GetElapsedTime(reported) >= GatewayLaunch.ProgressInterval)
            {
                reported = Stopwatch.GetTimestamp();
                progress(Progress(daemon, Stopwatch.GetElapsedTime(started)));
            }
            await Task.Delay(GatewayReadinessWait.Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>"starting… (3 s; gateway pid 12, state starting)".</summary>
    private static string Progress(DaemonState? daemon, TimeSpan elapsed)
    {
        var where = daemon switch
        {
            null => "the supervisor is starting",
            { GatewayPid: { } pid } => $"gateway pid {pid}, state {daemon.State.ToString().ToLowerInvariant()}",
            _ => $"state {daemon.State.ToString().ToLowerInvariant()}",
        };
        var exit = daemon?.LastExit is { } last ? $", last exit {last.Description}" : "";
        return $"starting… ({elapsed.TotalSeconds:F0} s; {where}{exit})";
    }
}

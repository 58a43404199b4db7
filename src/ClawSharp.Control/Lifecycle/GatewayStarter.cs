using ClawSharp.Control.Managers;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Lifecycle;

/// <summary>
/// <c>gateway start</c>. Order: create the state directory; load the config (a bad one fails here,
/// exit 78, not in a detached process, and left in start-failed.json for status); with <c>--force</c>, stop an unsupervised
/// gateway in the way (<see cref="ForcedStart"/>); refuse when the lock's owner does not answer <c>/readyz</c> (the message of a
/// duplicate <c>gateway run</c>), or a gateway or a supervisor already runs; hand the start to the manager
/// (<see cref="GatewayManagers.ForStart"/>), which returns once ready.
/// </summary>
internal static class GatewayStarter
{
    public static async Task<StartResult> StartAsync(GatewayLaunch launch, CancellationToken cancellationToken)
    {
        var state = launch.State;
        try
        {
            state.EnsureCreated();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new StartResult.Failed($"cannot create the state directory {state.Root}: {e.Message}", ExitCode.Failure, [], StartFollowUp.None);
        }
        GatewayConfig config;
        try
        {
            config = ConfigLoader.Load(state, launch.Overrides);
        }
        catch (ConfigException e)
        {
            RecordRefusal(state, e);
            return new StartResult.Failed(e.Message, ExitCode.Config, [], StartFollowUp.None);
        }
        if (state.DirectoryInPlaceOfAFile() is { } inTheWay)
        {
            // Said here, before a supervisor starts a gateway that would exit 78 with it; and recorded, as a config
            // refusal is, so that status says this and not an older refusal.
            RecordRefusal(state, new ConfigException(inTheWay));
            return new StartResult.Failed(inTheWay, ExitCode.Config, [], StartFollowUp.None);
        }
        // The configuration is good now: an earlier refusal no longer describes this state directory, whoever starts the gateway next.
        StartFailureStore.Clear(state);
        var service = Services.ServiceRecordStore.Read(state, out var serviceProblem);
        if (serviceProblem is not null)
        {
            // A service may be installed: starting the built-in supervisor beside it would fight it.
            return new StartResult.Failed(serviceProblem, ExitCode.Failure, [], StartFollowUp.None);
        }
        if (service is not null)
        {
            // An installed service starts through its manager, never beside it.
            return await Services.ServiceGateway.StartAsync(service, launch.State, launch.Timeout ?? config.Daemon.StartTimeout, cancellationToken).ConfigureAwait(false);
        }
        var snapshot = DaemonSnapshot.Take(state);
        if (launch.Force)
        {
            if (await ForcedStart.ClearAsync(snapshot, config.Gateway.Port, state.LockFile).ConfigureAwait(false) is { } problem)
            {
                return new StartResult.Failed(problem, ExitCode.Failure, [], StartFollowUp.None);
            }
            snapshot = DaemonSnapshot.Take(state);
        }
        if (snapshot.Gateway is { } owner
            && await GatewayClaim.ProbeLockOwnerAsync(owner, cancellationToken).ConfigureAwait(false) == ReadinessAnswer.NoAnswer)
        {
            return new StartResult.OwnerUnresponsive(DuplicateStartPolicy.DescribeUnresponsiveOwner(owner.Pid, DuplicateStartPolicy.OwnerProbeTimeout), owner.Pid);
        }
        if (snapshot.Unsupervised is { } orphan)
        {
            return await SuperviseAgainAsync(state, orphan, snapshot.Daemon?.SupervisorPid, launch.Timeout ?? config.Daemon.StartTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        if (RestartingUnsupervised(snapshot) is { } restarting)
        {
            // Already putting itself back under a supervisor (SupervisorWatch): this start waits for that, not for another restart.
            return await AwaitSupervisedAsync(state, restarting, snapshot.Daemon?.SupervisorPid, launch.Timeout ?? config.Daemon.StartTimeout,
                System.Diagnostics.Stopwatch.GetTimestamp(), cancellationToken).ConfigureAwait(false);
        }
        if (AlreadyRunning(snapshot) is { } running)
        {
            return new StartResult.AlreadyRunning(running, snapshot.GatewayPid);
        }
        var manager = GatewayManagers.ForStart();
        return await manager.StartAsync(launch with { Timeout = launch.Timeout ?? config.Daemon.StartTimeout }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Leaves the refusal for <c>status</c> (start-failed.json); a start that cannot write it still fails with the reason.</summary>
    private static void RecordRefusal(StateDirectory state, ConfigException e)
    {
        try
        {
            StartFailureStore.Write(state, new StartFailure(DateTimeOffset.UtcNow, e.Summary, e.Message, e.Key, e.File, (int)ExitCode.Config));
        }
        catch (Exception io) when (io is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// A restart of <paramref name="orphan"/> (<see cref="GatewayRestarter"/>: drained, as <c>gateway restart</c>), which a
    /// daemon's gateway without its supervisor carries out by starting a new supervisor on its listening socket
    /// (<c>RestartMode.SpawnSupervisor</c>): no connection is refused, and the next crash is restarted. The
    /// gateway keeps its own settings: this start's overrides do not apply to it.
    /// </summary>
    private static async Task<StartResult> SuperviseAgainAsync(StateDirectory state, LockOwner orphan, int? deadSupervisor, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var lost = DaemonSnapshot.UnsupervisedMessage(orphan.Pid, deadSupervisor);
        if (DaemonSnapshot.Take(state).Unsupervised?.Pid != orphan.Pid)
        {
            // It began its own restart under a new supervisor meanwhile (SupervisorWatch): asking for another would restart twice.
            return await AwaitSupervisedAsync(state, orphan.Pid, deadSupervisor, timeout, started, cancellationToken).ConfigureAwait(false);
        }
        var request = new RestartRequest(state, () => Client.GatewayTarget.Resolve(state, null, null, null), Force: false, Wait: null, timeout,
            CallerWork.Find(Environment.GetEnvironmentVariable), Reason: $"clawsharp gateway start: {lost}");
        RestartResult restarted;
        try
        {
            restarted = await GatewayRestarter.RestartAsync(request, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Client.GatewayCallException or ArgumentException or IOException or UnauthorizedAccessException or UriFormatException)
        {
            return new StartResult.Failed($"{lost}; asking it to restart under a new one failed: {e.Message}", ExitCode.Failure, [], StartFollowUp.ReadLogs);
        }
        var after = DaemonSnapshot.Take(state);
        if (restarted is RestartResult.Restarted or RestartResult.AlreadyRestarted && after is { Supervisor: { } supervisor, Gateway: { Port: > 0 } gateway })
        {
            return new StartResult.Started(gateway.Pid, supervisor.Pid, gateway.Port, System.Diagnostics.Stopwatch.GetElapsedTime(started))
            {
                ReplacedOrphan = (orphan.Pid, deadSupervisor),
            };
        }
        return restarted switch
        {
            RestartResult.RequestedFromInside inside => new StartResult.Pending($"{lost}; {inside.Message}; it comes back under a new supervisor then", ExitCode.Success),
            RestartResult.TimedOut => new StartResult.Pending(
                $"{lost}; its restart under a new one is still under way after {timeout.TotalSeconds:0.#} s (draining its work); it goes on in the background", ExitCode.NotRunning),
            RestartResult.Refused refused => new StartResult.Failed($"{lost}; it refused to restart: {refused.Reason}", ExitCode.Failure, [], StartFollowUp.None),
            RestartResult.Failed failed => new StartResult.Failed($"{lost}; putting it back under one failed: {failed.Message}", ExitCode.Failure, [], StartFollowUp.ReadLogs),
            // Restarted in process (CLAWSHARP_NO_RESPAWN=1 in its environment, or the new supervisor never got ready): still alone.
            _ => new StartResult.Failed($"{lost}; it restarted (pid {after.GatewayPid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}) " +
                $"but still without one (CLAWSHARP_NO_RESPAWN set for it?); 'clawsharp gateway stop --home {state.Root}' then 'clawsharp gateway start --home {state.Root}' does it, with a gap",
                ExitCode.Failure, [], StartFollowUp.ReadLogs),
        };
    }

    /// <summary>
    /// The gateway of a daemon whose supervisor is gone that is restarting right now (restarting.json names
    /// it): the one <see cref="DaemonSnapshot.Unsupervised"/> named before its restart began; else null.
    /// </summary>
    private static int? RestartingUnsupervised(DaemonSnapshot snapshot) =>
        snapshot is { Supervisor: null, UnknownSupervisorAlive: false, Restarting: { } restarting, Daemon: { State: not (DaemonPhase.Stopped or DaemonPhase.Failed) } daemon }
            && daemon.GatewayPid == restarting.Pid
            ? restarting.Pid : null;

    /// <summary>Waits, up to <paramref name="timeout"/>, for a new supervisor whose gateway is ready, after <paramref name="orphan"/>'s own restart.</summary>
    private static async Task<StartResult> AwaitSupervisedAsync(StateDirectory state, int orphan, int? deadSupervisor, TimeSpan timeout, long started,
        CancellationToken cancellationToken)
    {
        var lost = DaemonSnapshot.UnsupervisedMessage(orphan, deadSupervisor);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                if (DaemonSnapshot.Take(state) is { Supervisor: { } supervisor, Gateway: { Port: > 0 } gateway } && gateway.Pid != orphan
                    && await GatewayReadiness.ReadyPortAsync(state, gateway.Pid, limit.Token).ConfigureAwait(false) is { } port)
                {
                    return new StartResult.Started(gateway.Pid, supervisor.Pid, port, System.Diagnostics.Stopwatch.GetElapsedTime(started))
                    {
                        ReplacedOrphan = (orphan, deadSupervisor),
                    };
                }
                await Task.Delay(GatewayLaunch.ProgressInterval / 20, limit.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new StartResult.Pending($"{lost}; its own restart under a new one is still under way after {timeout.TotalSeconds:0.#} s; it goes on in the background",
                ExitCode.NotRunning);
        }
    }

    /// <summary>Why a start must not go ahead (a gateway or a supervisor runs), or null.</summary>
    public static string? AlreadyRunning(DaemonSnapshot snapshot)
    {
        if (snapshot.GatewayPid is { } pid)
        {
            return $"gateway is already running with PID {pid}";
        }
        if (snapshot.Supervisor is { } supervisor)
        {
            var phase = snapshot.Daemon!.State.ToString().ToLowerInvariant();
            return $"gateway is already running with PID {supervisor.Pid} (its supervisor; the gateway is in {phase})";
        }
        return snapshot.UnknownSupervisorAlive ? "gateway is already running (a supervisor holds supervisor.lock)" : null;
    }
}

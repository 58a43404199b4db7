using System.Diagnostics;
using System.Runtime.InteropServices;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Logging;
using ClawSharp.Gateway.Respawn;
using ClawSharp.Gateway.ServiceManagers;
using ClawSharp.Gateway.Storage;
using ClawSharp.Gateway.Work;

namespace ClawSharp.Daemon;

/// <summary>
/// The built-in supervisor (hidden <c>clawsharp gateway supervise</c>): starts the gateway as
/// its child with <c>CLAWSHARP_SUPERVISOR=builtin</c>, restarts it at once after exit 75 and
/// after a crash with backoff, gives up past the crash limit or on exit 78, and records all of
/// it in <c>daemon.json</c>. SIGTERM/SIGINT stop the gateway gracefully and then the
/// supervisor; SIGUSR1 cuts a backoff short.
/// Invariants: one supervisor per state directory (<see cref="SupervisorLock"/>); it writes
/// <c>daemon.json</c> only while holding that lock; it signals only its own child.
/// </summary>
internal sealed class Supervisor
{
    /// <summary>How many gateway log lines a crash keeps for <c>status</c>.</summary>
    public const int KeptLogLines = 20;

    private static readonly TimeSpan ReadinessPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(2);

    private readonly SupervisorSettings settings;
    private readonly SupervisorLog log;
    private readonly TaskCompletionSource<string> stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object stateGate = new();
    // Counts SIGUSR1s ("start it now"), so one that arrives between a crash and the backoff is not lost.
    private readonly SemaphoreSlim wakeUp = new(0);
    private DaemonState current = new();
    // The crash history (crash-history.json), carried across supervisor deaths.
    private IReadOnlyList<DateTimeOffset> crashes = [];
    // The gateway run that ended last, whose log lines the next start keeps for 'gateway logs --previous'.
    private RunEnd? previousRun;
    // Started by a gateway whose supervisor died (settings.Listener): daemon.json as that supervisor left it, put back
    // if this one is stopped before any gateway of its own was ready, so that the gateway serving on is still known as
    // unsupervised (status, 'gateway start'). Null once a gateway of this supervisor was ready.
    private volatile DaemonState? replaced;
    // The reason of the restart the next gateway carries out (the previous one's exit 75, or the restart that started this
    // supervisor), handed down in CLAWSHARP_RESTART_REASON so that it counts it (clawsharp_restarts_total{mode="supervised"}).
    private string? nextRestartReason;

    public Supervisor(SupervisorSettings settings)
    {
        this.settings = settings;
        log = new SupervisorLog(settings.Time);
    }

    private StateDirectory State => settings.State;

    /// <summary>Runs until stopped or given up; returns the supervisor's exit code (0 stopped, 1 gave up or could not start).</summary>
    public async Task<int> RunAsync()
    {
        using var held = SupervisorLock.TryAcquire(State.SupervisorLockFile, LockWait);
        if (held is null)
        {
            log.Error($"another supervisor already runs for {State.Root}; exiting");
            return (int)ExitCode.Failure;
        }
        // Before the first write: a 'gateway restart' that reads it may send SIGUSR1 at once, and its default action kills.
        using var signals = RegisterSignals();
        using var listener = new SupervisorListener(log, settings.Listener);
        var me = ProcessIdentity.Current;
        nextRestartReason = settings.FirstRestartReason;
        var inherited = SupervisorInheritance.Read(State, settings.Time.GetUtcNow(), log);
        if (settings.Listener is not null)
        {
            replaced = inherited.PreviousState;
        }
        crashes = inherited.Crashes;
        previousRun = inherited.PreviousRun;
        StartFailureStore.Clear(State);
        Save(new DaemonState
        {
            State = DaemonPhase.Starting,
            SupervisorPid = me.Pid,
            SupervisorStartTime = me.StartTime,
            StartedAt = settings.Time.GetUtcNow(),
            Version = GatewayVersion.Current,
            LogFile = State.LogFile,
            SupervisorLogFile = State.SupervisorLogFile,
            CrashesInWindow = crashes.Count,
            LastUncleanEnd = inherited.LastUncleanEnd,
        });
        log.Info($"supervisor started for {State.Root} (version {GatewayVersion.Current})");
        if (settings.Listener is not null && GatewayFaults.Parse(Environment.GetEnvironmentVariable(GatewayFaults.EnvironmentVariable)).SpawnedChildNeverReady)
        {
            log.Warning("test fault spawned-child-never-ready: started by a gateway, starting none; waiting for a stop");
            RecordStopped(0, $"stopped by {await stopRequested.Task.ConfigureAwait(false)}");
            return (int)ExitCode.Success;
        }
        while (true)
        {
            if (stopRequested.Task.IsCompleted)
            {
                RecordStopped(current.LastExit?.Code ?? 0, $"stopped by {stopRequested.Task.Result}");
                return (int)ExitCode.Success;
            }
            var options = LoadOptions();
            ProcessDetach.RotateIfLarge(State, options.Logs);
            if (options.Gateway is { } gateway)
            {
                listener.Ensure(gateway.Bind, gateway.Port);
            }
            using var child = TryStart(listener);
            if (child is null)
            {
                return (int)ExitCode.Failure;
            }
            var exited = child.WaitForExitAsync();
            using (var watching = new CancellationTokenSource())
            {
                var readiness = WatchReadinessAsync(child.Id, watching.Token);
                var rotation = SupervisorLogRotation.RunAsync(State, options.Logs, settings.Time, watching.Token);
                await Task.WhenAny(exited, stopRequested.Task).ConfigureAwait(false);
                await watching.CancelAsync().ConfigureAwait(false);
                await readiness.ConfigureAwait(false);
                await rotation.ConfigureAwait(false);
            }
            if (!exited.IsCompleted)
            {
                await StopChildAsync(child, options).ConfigureAwait(false);
                KillLeftovers(child.Id);
                RecordStopped(child.ExitCode, $"stopped by {stopRequested.Task.Result}");
                return (int)ExitCode.Success;
            }
            // Every SIGUSR1 so far was answered by the start of the child that just ended; only one that arrives from now on cuts the backoff short.
            while (wakeUp.Wait(0))
            {
            }
            KillLeftovers(child.Id);
            var restartReason = RestartInProgress.TakeAfterExit(State, child.Id, current.GatewayStartTime);
            nextRestartReason = (ExitCode)child.ExitCode == ExitCode.Restart ? restartReason : null;
            var decision = RecordExit(child, options.Daemon);
            switch (decision.Action)
            {
                case AfterExit.Stop:
                    RecordStopped(child.ExitCode, "the gateway stopped itself");
                    return (int)ExitCode.Success;
                case AfterExit.GiveUp:
                    Update(s => s with { State = DaemonPhase.Failed, FailureReason = decision.Reason, Port = null });
                    log.Error($"giving up: {decision.Reason}");
                    return (int)ExitCode.Failure;
                case AfterExit.RestartAfterBackoff:
                    if (!await BackOffAsync(decision.Delay).ConfigureAwait(false))
                    {
                        RecordStopped(child.ExitCode, $"stopped by {stopRequested.Task.Result} during the backoff");
                        return (int)ExitCode.Success;
                    }
                    break;
            }
            Update(s => s with { RestartCount = s.RestartCount + 1 });
        }
    }

    /// <summary>
    /// Decides what follows the exit of <paramref name="child"/> and records it. Order: the decision
    /// (over the crash history); crash-history.json, for a crash; daemon.json (last exit, counts, log
    /// lines, an unclean end for a signal); which run ended, for <c>gateway logs --previous</c>.
    /// </summary>
    private SupervisorDecision RecordExit(Process child, DaemonOptions options)
    {
        var now = settings.Time.GetUtcNow();
        var exit = CrashPolicy.DescribeExit(child.ExitCode, now);
        var decision = CrashPolicy.Decide(child.ExitCode, crashes, now, options,
            (ExitCode)child.ExitCode == ExitCode.Config ? ConfigProblem() : null, current.StartedAt);
        var crashed = decision.Action == AfterExit.RestartAfterBackoff
            || (decision.Action == AfterExit.GiveUp && (ExitCode)child.ExitCode != ExitCode.Config);
        log.Info($"gateway pid {child.Id} ended: {exit.Description}; {decision.Reason}");
        if (crashed)
        {
            RecordCrashes(decision.Crashes);
        }
        var tail = crashed || decision.Action == AfterExit.GiveUp || exit.Signal is not null ? GatewayLogFiles.Tail(State, KeptLogLines) : null;
        previousRun = new RunEnd(child.Id, current.GatewayStartedAt, exit.Description);
        Update(s => s with
        {
            GatewayPid = null,
            GatewayStartTime = null,
            LastExit = exit,
            CrashCount = s.CrashCount + (crashed ? 1 : 0),
            CrashesInWindow = crashed ? decision.Crashes.Count : s.CrashesInWindow,
            LastLogLines = crashed || decision.Action == AfterExit.GiveUp ? tail : s.LastLogLines,
            LastUncleanEnd = UncleanEnd.OfGateway(child.Id, exit, s.GatewayRssBytes, tail ?? []) ?? s.LastUncleanEnd,
        });
        return decision;
    }

    private Process? TryStart(SupervisorListener listener)
    {
        KeepPreviousRun();
        var info = SelfCommand.StartInfo(settings.GatewayArguments);
        info.Environment[SupervisorDetection.EnvironmentVariable] = "builtin";
        info.Environment[SupervisorDetection.SupervisorPidVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (nextRestartReason is { } restartReason)
        {
            info.Environment[SpawnOrigin.RestartReasonVariable] = restartReason;
            nextRestartReason = null;
        }
        var handedDown = listener.HandDown(info);
        try
        {
            Process child;
            try
            {
                child = Process.Start(info) ?? throw new InvalidOperationException("no process was started");
            }
            finally
            {
                // Only the child may keep it: anything else this process starts must not inherit the port.
                SupervisorListener.Release(handedDown);
            }
            var identity = ProcessIdentity.Of(child.Id);
            Update(s => s with
            {
                State = DaemonPhase.Starting,
                GatewayPid = child.Id,
                GatewayStartTime = identity?.StartTime,
                GatewayStartedAt = settings.Time.GetUtcNow(),
                NextStartAt = null,
                Port = null,
            });
            log.Info($"started gateway pid {child.Id}: {info.FileName} {string.Join(' ', info.ArgumentList)}");
            return child;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            var reason = $"cannot start the gateway binary {info.FileName}: {e.Message}";
            log.Error(reason);
            Update(s => s with { State = DaemonPhase.Failed, FailureReason = reason, GatewayPid = null, GatewayStartTime = null });
            return null;
        }
    }

    /// <summary>
    /// Marks the daemon running once this child owns the lock and answers <c>/readyz</c>; from then
    /// on samples its memory every <see cref="GatewayMemory.SampleInterval"/>, so an OOM kill leaves its last size on record.
    /// </summary>
    private async Task WatchReadinessAsync(int pid, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (await GatewayReadiness.ReadyPortAsync(State, pid, cancellationToken).ConfigureAwait(false) is { } port)
                {
                    Update(s => s.GatewayPid == pid ? s with { State = DaemonPhase.Running, Port = port, GatewayRssBytes = GatewayMemory.RssBytes(pid), GatewayRssAt = settings.Time.GetUtcNow() } : s);
                    replaced = null;
                    log.Info($"gateway pid {pid} is ready on port {port}");
                    break;
                }
                await Task.Delay(ReadinessPoll, settings.Time, cancellationToken).ConfigureAwait(false);
            }
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(GatewayMemory.SampleInterval, settings.Time, cancellationToken).ConfigureAwait(false);
                var now = settings.Time.GetUtcNow();
                if (GatewayMemory.RssBytes(pid) is { } rss && GatewayMemory.WorthRecording(current.GatewayRssBytes, current.GatewayRssAt, rss, now))
                {
                    Update(s => s.GatewayPid == pid ? s with { GatewayRssBytes = rss, GatewayRssAt = now } : s);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Keeps the last lines of the run that ended (logs/previous-run.json) before the next one writes to the same log.</summary>
    private void KeepPreviousRun()
    {
        if (previousRun is not { } run)
        {
            return;
        }
        try
        {
            PreviousRunStore.Capture(State, run.GatewayPid, run.StartedAt, run.End, settings.Time.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Warning($"cannot write {State.PreviousRunFile}: {e.Message}");
        }
        previousRun = null;
    }

    private void RecordCrashes(IReadOnlyList<DateTimeOffset> history)
    {
        crashes = history;
        try
        {
            CrashHistoryStore.Write(State, history);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The limit still holds for this supervisor's life; only a successor would miss these crashes.
            log.Warning($"cannot write {State.CrashHistoryFile}: {e.Message}");
        }
    }

    /// <summary>"config invalid at KEY (FILE): …" when the config does not load now; null when it does.</summary>
    private string? ConfigProblem()
    {
        try
        {
            ConfigLoader.Load(State, settings.Overrides);
            return null;
        }
        catch (ConfigException e)
        {
            return $"{e.Summary}: {e.Message}";
        }
    }

    /// <summary>
    /// The gateway leads its own process group; its exec agents and tasks are in it. Once the
    /// gateway is gone (a kill -9 included), whatever is left of the group is orphaned work:
    /// killed, so that the next gateway does not run beside it.
    /// </summary>
    private void KillLeftovers(int gatewayPid)
    {
        // Only members of this supervisor's session count: once reaped, the gateway's PID (and so its group id) may be reused elsewhere.
        if (!OperatingSystem.IsWindows() && ProcessGroups.Of(Environment.ProcessId) is { } me && ProcessGroups.KillIfInSession(gatewayPid, me.SessionId))
        {
            log.Warning($"killed processes left behind by gateway pid {gatewayPid} (its agents or tasks)");
        }
        // Exec agents and tasks lead sessions of their own (outside the group): the gateway
        // records them in the store, so they are ended here rather than at the next start.
        try
        {
            if (ExecChildReaper.ReapOf(State.StoreFile, gatewayPid, settings.Time) is var ended and > 0)
            {
                log.Warning($"killed processes left behind by gateway pid {gatewayPid}: {ended} of its exec agents and tasks (their own sessions)");
            }
        }
        catch (Exception e) when (e is StoreException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            log.Warning($"could not read the exec children of gateway pid {gatewayPid} from the store ({e.Message}); the next gateway start ends them");
        }
    }

    /// <summary>SIGTERM, then SIGKILL past the gateway's own stop budget plus a margin.</summary>
    private async Task StopChildAsync(Process child, DaemonOptionsAndShutdown options)
    {
        log.Info($"stopping gateway pid {child.Id} (SIGTERM)");
        // Not yet reaped (HasExited is false), so the PID is still our child's.
        if (!child.HasExited)
        {
            Posix.Kill(child.Id, Posix.SIGTERM);
        }
        var killAfter = new ShutdownBudget(options.Shutdown).SupervisorKillAfter;
        using var timeout = new CancellationTokenSource(killAfter);
        try
        {
            await child.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            log.Warning($"gateway pid {child.Id} did not stop within {killAfter.TotalSeconds:F0} s; sending SIGKILL");
            // The whole tree: exec agents the gateway started must not outlive it.
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits out a backoff; false when a stop came first. SIGUSR1 cuts it short.</summary>
    private async Task<bool> BackOffAsync(TimeSpan delay)
    {
        Update(s => s with { State = DaemonPhase.Backoff, NextStartAt = settings.Time.GetUtcNow() + delay, Port = null });
        using var cancel = new CancellationTokenSource();
        var wait = Task.Delay(delay, settings.Time, cancel.Token);
        var woken = wakeUp.WaitAsync(cancel.Token);
        var first = await Task.WhenAny(wait, stopRequested.Task, woken).ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
        if (first == woken)
        {
            log.Info("backoff cut short by SIGUSR1");
        }
        return first != stopRequested.Task;
    }

    private void RecordStopped(int exitCode, string why)
    {
        if (replaced is { } before)
        {
            Save(before);
            log.Info($"supervisor stopping before any gateway of its own was ready: {why}; daemon.json is left as the supervisor it replaced wrote it");
            return;
        }
        var exit = CrashPolicy.DescribeExit(exitCode, settings.Time.GetUtcNow());
        Update(s => s with
        {
            State = DaemonPhase.Stopped,
            GatewayPid = null,
            GatewayStartTime = null,
            NextStartAt = null,
            Port = null,
            LastExit = exit,
        });
        log.Info($"supervisor stopping: {why} (gateway {exit.Description})");
    }

    private DaemonOptionsAndShutdown LoadOptions()
    {
        try
        {
            var config = ConfigLoader.Load(State, settings.Overrides);
            return new DaemonOptionsAndShutdown(config.Daemon, config.Shutdown, config.Gateway, config.Logs);
        }
        catch (ConfigException e)
        {
            // The gateway will refuse this config too and exit 78; the supervisor keeps its defaults meanwhile.
            log.Warning($"config: {e.Message}; using the default daemon settings");
            return new DaemonOptionsAndShutdown(new DaemonOptions(), new ShutdownOptions(), null, new LogFileOptions());
        }
    }

    private IDisposable RegisterSignals()
    {
        var registrations = new List<PosixSignalRegistration>
        {
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => RequestStop(c, "SIGTERM")),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, c => RequestStop(c, "SIGINT")),
        };
        if (!OperatingSystem.IsWindows())
        {
            registrations.Add(PosixSignalRegistration.Create((PosixSignal)Posix.SIGUSR1, c =>
            {
                c.Cancel = true;
                if (wakeUp.CurrentCount == 0)
                {
                    wakeUp.Release();
                }
            }));
        }
        return new Registrations(registrations);
    }

    private void RequestStop(PosixSignalContext context, string source)
    {
        context.Cancel = true;
        if (!stopRequested.TrySetResult(source))
        {
            log.Warning($"{source} ignored: already stopping");
        }
    }

    private void Update(Func<DaemonState, DaemonState> change)
    {
        lock (stateGate)
        {
            Save(change(current));
        }
    }

    private void Save(DaemonState next)
    {
        lock (stateGate)
        {
            current = next with { UpdatedAt = settings.Time.GetUtcNow() };
            try
            {
                DaemonStateFile.Write(State, current);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // status then shows older news; the gateway keeps running either way.
                log.Warning($"cannot write {State.DaemonStateFile}: {e.Message}");
            }
        }
    }

    /// <param name="Gateway">Null when the config is invalid: the gateway will say why (exit 78).</param>
    private sealed record DaemonOptionsAndShutdown(DaemonOptions Daemon, ShutdownOptions Shutdown, GatewayOptions? Gateway, LogFileOptions Logs);

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose() => registrations.ForEach(r => r.Dispose());
    }
}

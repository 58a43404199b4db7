using System.Diagnostics;
using ClawSharp.Gateway.Metrics;
using System.Threading.Channels;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Respawn;
using ClawSharp.Gateway.Restart;
using ClawSharp.Gateway.ServiceManagers;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// The gateway process's event loop. One reader of <see cref="Commands"/> decides every
/// command through <see cref="RunLoopPolicy"/> on the current state, while at most one step
/// runs: the first start, a <see cref="RestartSequence"/>, or the stop path (a <see cref="StopSequence"/>).
/// A stop during a step is handed to that step; a restart during a restart joins it; a stop
/// during a stop cuts its drain short. The loop also answers the systemd watchdog's heartbeats
/// itself (<see cref="LoopHeartbeat"/>), so a wedged loop stops the pings.
/// Invariants: at most one gateway owns the lock (<see cref="IGenerationStarter"/>); at most one
/// restart is in flight, and the state says so (<see cref="GatewayRunState.Scheduled"/> through
/// <see cref="GatewayRunState.Restarting"/>); only this type writes <see cref="GatewayRunState"/>,
/// through one checked transition method; while a step runs, only that step touches the
/// generation. Signal and RPC handlers only write to <see cref="Commands"/>.
/// </summary>
internal sealed class GatewayRunLoop : IAsyncDisposable
{
    private const string LoggerCategory = "ClawSharp.Gateway";
    private readonly Channel<RunLoopCommand> commands =
        Channel.CreateUnbounded<RunLoopCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly GatewayRunSettings settings;
    private readonly ILogger logger;
    private readonly IGenerationStarter starter;
    private readonly RestartContext restartContext;
    private readonly RestartCoordinator coordinator;
    private readonly RestartAnswers answers;
    private readonly Action<ExitCode> exitProcess;
    private readonly CurrentRestartMode restartMode;
    private readonly SignalIntentResolver intents;
    private readonly LoopHeartbeat heartbeat;
    private volatile GatewayRunState state = GatewayRunState.Starting;
    private readonly LiveConfig live = new();
    private readonly ConfigReloader reloader;
    private ConfigWatcher? watcher;
    private IGatewayGeneration? generation;
    private RestartSequence? sequence;
    private RunLoopCommand.RestartRequested? deferredRestart;
    // Written by the stop path (the loop, or a restart step ending), read by the loop: the stop whose drain a second signal cuts.
    private volatile StopSequence? stopping;
    // Written by the loop, read by a step ending: a stop that arrived while it ran.
    private volatile string? stopSource;
    private int restarts;

    /// <param name="settings">The run's settings.</param>
    /// <param name="logging">The process's logging.</param>
    /// <param name="exitProcess">Ends the process when the watchdog fires; a test passes a recorder.</param>
    public GatewayRunLoop(GatewayRunSettings settings, Logging.GatewayLogging logging, Action<ExitCode>? exitProcess = null)
        : this(settings, logging.Factory.CreateLogger(LoggerCategory), new StabilityBundleWriter(settings.State, logging.Recent, settings.Time),
            exitProcess, Environment.GetEnvironmentVariable, supervisorNow: null, (hooks, bundles) =>
            {
                var logger = logging.Factory.CreateLogger(LoggerCategory);
                var starter = new GenerationStarter(settings, logging, logger, hooks);
                return (starter, new FreshProcessSpawner(() => starter.Listener, settings.State, settings.Faults, bundles, settings.Time, logger));
            }, new SystemdNotifications())
    {
    }

    /// <summary>The seams of the decision tests: the generations, the respawn, the environment, the supervisor and (in <paramref name="settings"/>) the clock.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="logger">The lifecycle log.</param>
    /// <param name="bundles">Stability bundles.</param>
    /// <param name="exitProcess">Ends the process when the watchdog fires.</param>
    /// <param name="environment">Reads an environment variable (<c>CLAWSHARP_NO_RESPAWN</c>, the supervisor marker).</param>
    /// <param name="supervisorNow">Who supervises this process now; null detects it from <paramref name="environment"/> and the parent PID.</param>
    /// <param name="parts">Builds the starter and the respawner, given how they reach this loop.</param>
    /// <param name="notifications">What systemd is told; null tells nobody.</param>
    /// <param name="kickstarter">The launchd restart; null runs the real <c>launchctl</c>.</param>
    internal GatewayRunLoop(GatewayRunSettings settings, ILogger logger, StabilityBundleWriter bundles, Action<ExitCode>? exitProcess,
        Func<string, string?> environment, Func<SupervisorKind>? supervisorNow,
        Func<GenerationHooks, StabilityBundleWriter, (IGenerationStarter, IRespawner)> parts, SystemdNotifications? notifications = null,
        ILaunchdKickstarter? kickstarter = null)
    {
        notifications ??= SystemdNotifications.None;
        this.settings = settings;
        this.logger = logger;
        this.exitProcess = exitProcess ?? (code => Environment.Exit((int)code));
        restartMode = new CurrentRestartMode(environment, settings.Supervisor, supervisorNow, logger);
        intents = new SignalIntentResolver(settings.State, settings.Time, logger);
        coordinator = new RestartCoordinator(settings.Time, reason => RestartModeSelector.WireName(restartMode.For(reason).Mode));
        (starter, var respawner) = parts(new GenerationHooks(WireState, () => restarts, Submit, live), bundles);
        reloader = new ConfigReloader(settings.State, settings.Overrides, live, starter, settings.Time, logger);
        answers = new RestartAnswers(coordinator, starter, settings.State, settings.Time, logger);
        restartContext = new RestartContext(starter, respawner, kickstarter ?? new LaunchdKickstarter(environment),
            new GenerationCloser(settings.Time, bundles, logger, this.exitProcess), restartMode.For,
            settings.State, bundles, settings.Time, logger, notifications, SystemdEnvironment.StopTimeout(environment));
        heartbeat = new LoopHeartbeat(SystemdEnvironment.WatchdogInterval(environment, Environment.ProcessId), commands.Writer, notifications,
            settings.State, settings.Faults, settings.Time, logger);
        if (settings.Spawned is { Respawned: true })
        {
            // This process IS a restart (fresh-PID respawn): the cooldown between restarts runs from now.
            coordinator.Completed();
        }
    }

    public ChannelWriter<RunLoopCommand> Commands => commands.Writer;

    public GatewayRunState State => state;

    /// <summary>The configuration in effect: a config reload swaps it, each start puts its own in effect.</summary>
    public LiveConfig Live => live;

    /// <summary>Runs until stopped; returns the process exit code.</summary>
    public async Task<ExitCode> RunAsync(GatewayConfig firstConfig, CancellationToken cancellationToken)
    {
        live.Swap(firstConfig);
        watcher = new ConfigWatcher(settings.State, live, commands.Writer, settings.Time, logger);
        Task<ExitCode?>? step = FirstStartAsync(cancellationToken);
        Task<RunLoopCommand>? next = null;
        while (true)
        {
            next ??= commands.Reader.ReadAsync(cancellationToken).AsTask();
            var ended = step is not null && await Task.WhenAny(step, next).ConfigureAwait(false) == step;
            // One snapshot decides: a step that entered a serving state is about to end, and is finished before any command is decided.
            var now = state;
            if (step is not null && (ended || now is GatewayRunState.Running or GatewayRunState.StartFailed))
            {
                if (await step.ConfigureAwait(false) is { } exit)
                {
                    return exit;
                }
                sequence = null;
                step = stopSource is { } source ? StopAsync($"stop requested by {source}", source, cancellationToken)
                    : deferredRestart is { } restart && state is GatewayRunState.Running ? Handle(restart, state, stepRunning: false, cancellationToken)
                    : null;
                deferredRestart = null;
                continue;
            }
            var read = await next.ConfigureAwait(false);
            next = null;
            if (read is RunLoopCommand.Heartbeat)
            {
                // Answered here, on the loop's own path, whatever the state: a loop that stops reading stops the pings.
                heartbeat.Beat();
                continue;
            }
            if (read is RunLoopCommand.ConfigChanged)
            {
                // Applied here, one change at a time; a restart it needs is decided below like any other request.
                if (now is GatewayRunState.Closing or GatewayRunState.Stopped || reloader.Reload() is not { } reload)
                {
                    continue;
                }
                read = reload;
            }
            var command = intents.Resolve(read);
            if (Handle(command, now, stepRunning: step is not null, cancellationToken) is { } begun)
            {
                step = begun;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        heartbeat.Dispose();
        watcher?.Dispose();
        if (generation is { } serving)
        {
            generation = null;
            await serving.CloseAsync(restart: false, CancellationToken.None).ConfigureAwait(false);
        }
        (starter as IDisposable)?.Dispose();
    }

    /// <summary>Decides one command; returns the step it begins, if any.</summary>
    /// <param name="command">The command.</param>
    /// <param name="now">The state it is decided on; a serving state means no step runs.</param>
    /// <param name="stepRunning">A step runs: a stop is handed to it, and no new step begins.</param>
    /// <param name="cancellationToken">The process is going away.</param>
    private Task<ExitCode?>? Handle(RunLoopCommand command, GatewayRunState now, bool stepRunning, CancellationToken cancellationToken)
    {
        var decision = RunLoopPolicy.Decide(now, command, live.Current.Restart.Enabled);
        LifecycleLog.Decision(logger, command, decision);
        var restart = command as RunLoopCommand.RestartRequested;
        switch (decision.Action)
        {
            case LoopAction.Stop or LoopAction.UpgradeToStop when stepRunning:
                stopSource ??= command.Source;
                sequence?.RequestStop();
                return null;
            case LoopAction.Stop or LoopAction.UpgradeToStop:
                return StopAsync($"stop requested by {command.Source}", command.Source, cancellationToken);
            case LoopAction.CutStopDrain:
                if (stopping?.CutDrain(command.Source) is not true)
                {
                    LifecycleLog.CommandIgnored(logger, "stop", command.Source, "the close has begun");
                }
                return null;
            case LoopAction.Restart:
                return RestartAsync(restart!, cancellationToken);
            case LoopAction.Coalesce when sequence is null:
                // The first start: no restart is in flight to join; this one follows once the gateway serves.
                deferredRestart = restart;
                return null;
            case LoopAction.Coalesce:
                answers.Join(restart!, sequence, live.Current.Restart);
                return null;
            default:
                restart?.Requester?.Refuse(decision.Reason);
                return null;
        }
    }

    private async Task<ExitCode?> FirstStartAsync(CancellationToken cancellationToken)
    {
        if (settings.Spawned is { Respawned: true } origin && settings.Faults.SpawnedChildNeverReady)
        {
            // Serve nothing; only a stop ends this process.
            LifecycleLog.NeverReadyFault(logger, origin.ParentPid);
            return null;
        }
        var start = await starter.StartAsync(live.Current, firstStart: true, cancellationToken).ConfigureAwait(false);
        if (start is GenerationStart.Failed failed)
        {
            Transition(GatewayRunState.Stopped, "first start failed");
            return failed.Code;
        }
        generation = ((GenerationStart.Started)start).Generation;
        Transition(GatewayRunState.Running, "server started");
        generation.AnnounceReady();
        restartContext.Notifications.Ready(generation.ServingOn);
        GatewayMetrics.RecordReady(DateTime.Now - Process.GetCurrentProcess().StartTime);
        if (settings.Spawned is { Respawned: true } respawnedBy)
        {
            // A fresh-PID respawn is a new process, its counters at zero: it counts the restart that made it.
            GatewayMetrics.RecordRestart("respawn", respawnedBy.RestartReason ?? "unknown");
        }
        else if (settings.Spawned is { RestartReason: { } supervisedRestart })
        {
            // Likewise a process a supervisor started after the previous one's exit 75.
            GatewayMetrics.RecordRestart("supervised", supervisedRestart);
        }
        if (settings.Faults.CrashAfterReady)
        {
            exitProcess(ExitCode.Failure);
        }
        return null;
    }

    /// <summary>The restart step: decide the plan, run the sequence, take over what it leaves.</summary>
    private async Task<ExitCode?> RestartAsync(RunLoopCommand.RestartRequested request, CancellationToken cancellationToken)
    {
        RestartDecision? decision = null;
        RestartPlan plan;
        if (generation is { } serving)
        {
            if (answers.DecideNew(request, serving, live.Current.Restart) is not { } decided)
            {
                // Refused, or satisfied already by this generation (both answered): it keeps serving.
                return null;
            }
            decision = decided;
            plan = decision.Plan!;
            Transition(GatewayRunState.Scheduled, plan.Reason);
        }
        else
        {
            // Nothing serves (a failed start): nothing to drain, no cooldown to wait; in flight from now on, so a stop reaches it.
            plan = new RestartPlan(true, TimeSpan.Zero, TimeSpan.Zero, request.Ask.Reason ?? request.Source);
            Transition(GatewayRunState.Restarting, plan.Reason);
        }
        var current = sequence = new RestartSequence(plan, decision, request, generation, live.Current, restartContext);
        generation = null;
        var outcome = await current.RunAsync(Transition, cancellationToken).ConfigureAwait(false);
        return await EndRestartAsync(current, outcome, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes over what a restart sequence left: the new generation, the old one to stop, or the exit code.</summary>
    private async Task<ExitCode?> EndRestartAsync(RestartSequence current, RestartOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome is not (RestartOutcome.Abandoned or RestartOutcome.Stopped))
        {
            coordinator.Completed();
        }
        switch (outcome)
        {
            case RestartOutcome.Restarted:
                generation = current.Generation;
                live.Swap(generation!.Config);
                reloader.Rebase();
                restarts++;
                GatewayMetrics.RecordRestart("in-process", current.Reason);
                LifecycleLog.Restarted(logger, current.Elapsed.TotalMilliseconds, restarts);
                return null;
            case RestartOutcome.Abandoned:
                generation = current.Current;
                return await StopAsync("stop requested before the restart began", "stop during restart", cancellationToken).ConfigureAwait(false);
            case RestartOutcome.Stopped:
                return await StopAsync(current.EndReason, "stop during restart", cancellationToken).ConfigureAwait(false);
            case RestartOutcome.HandedToSupervisor:
                Transition(GatewayRunState.Stopped, current.EndReason);
                return ExitCode.Restart;
            case RestartOutcome.HandedToChild when stopSource is not null:
                // The stop arrived just as the fresh copy became ready: the operator wants no gateway, the copy included.
                await restartContext.Respawner.StopChildAsync(current.ChildPid, new ShutdownBudget(live.Current.Shutdown).ChildStop).ConfigureAwait(false);
                return await StopAsync("stop requested during the respawn", "stop during restart", cancellationToken).ConfigureAwait(false);
            case RestartOutcome.HandedToChild:
                Transition(GatewayRunState.Stopped, current.EndReason);
                return ExitCode.Success;
            default:
                return null;
        }
    }

    /// <summary>The one stop path: tell the service manager, drain and close what serves (<see cref="StopSequence"/>), then Stopped.</summary>
    private async Task<ExitCode?> StopAsync(string why, string source, CancellationToken cancellationToken)
    {
        stopSource = null;
        restartContext.Notifications.Stopping();
        if (generation is { } serving)
        {
            generation = null;
            var stop = stopping = new StopSequence(restartContext, serving);
            Transition(GatewayRunState.Closing, why);
            await stop.RunAsync(cancellationToken).ConfigureAwait(false);
            why = "closed";
        }
        RestartInProgress.End(settings.State);
        Transition(GatewayRunState.Stopped, why);
        LifecycleLog.Stopped(logger, source);
        return ExitCode.Success;
    }

    private void Submit(RestartSubmission request)
    {
        if (!commands.Writer.TryWrite(RunLoopCommand.RestartRequested.Rpc(request)))
        {
            request.Refuse();
        }
    }

    private string WireState() => GatewayRunStateNames.WireName(state);

    private void Transition(GatewayRunState to, string reason)
    {
        var from = state;
        if (!RunStateTransitions.IsLegal(from, to))
        {
            LifecycleLog.IllegalTransition(logger, from.ToString(), to.ToString(), reason);
            throw new InvalidOperationException($"illegal gateway state change {from} -> {to} ({reason})");
        }
        LifecycleLog.StateChanged(logger, from.ToString(), to.ToString(), reason);
        state = to;
    }
}

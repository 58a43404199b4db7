using System.Diagnostics;
using System.Threading.Channels;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Logging;
using ClawSharp.Gateway.Protocol;
using ClawSharp.Gateway.Respawn;
using ClawSharp.Gateway.Server;
using ClawSharp.Gateway.ServiceManagers;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// The gateway process's loop. Order of one iteration: take the lock; make sure the
/// listening socket is bound (once per process, or taken over from the gateway that spawned
/// this one); start a fresh <see cref="GatewayServer"/>; wait for a command; close the server
/// (watchdog armed); release the lock; then, as <see cref="RestartModeSelector"/> decides, exit,
/// hand over to a fresh process (<see cref="FreshProcessSpawner"/>) or start again in process.
/// Invariants: at most one gateway owns the lock; at most one restart is in flight; only
/// this type writes <see cref="GatewayRunState"/>, through one checked transition method.
/// Signal and RPC handlers only write to <see cref="Commands"/>.
/// </summary>
public sealed class GatewayRunLoop : IAsyncDisposable
{
    private readonly Channel<RunLoopCommand> commands =
        Channel.CreateUnbounded<RunLoopCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly GatewayRunSettings settings;
    private readonly ILogger logger;
    private readonly ILoggerFactory loggerFactory;
    private readonly StabilityBundleWriter bundles;
    private readonly AuthFailureLimiter authLimiter;
    private readonly Restart.RestartCoordinator coordinator;
    private readonly FreshProcessSpawner spawner;
    private readonly GatewayClaim claim;
    private readonly Action<ExitCode> exitProcess;
    private readonly DateTimeOffset processStartedAt;
    private volatile GatewayRunState state = GatewayRunState.Starting;
    private GatewayConfig config = new();
    private Task<RunLoopCommand>? pendingCommand;
    private ListenSocket? listener;
    private GatewayLock? gatewayLock;
    private GatewayServer? server;
    private int restarts;

    /// <param name="settings">The run's settings.</param>
    /// <param name="logging">The process's logging.</param>
    /// <param name="exitProcess">Ends the process when the watchdog fires; a test passes a recorder.</param>
    public GatewayRunLoop(GatewayRunSettings settings, GatewayLogging logging, Action<ExitCode>? exitProcess = null)
    {
        this.settings = settings;
        loggerFactory = logging.Factory;
        logger = loggerFactory.CreateLogger("ClawSharp.Gateway");
        bundles = new StabilityBundleWriter(settings.State, logging.Recent, settings.Time);
        authLimiter = new AuthFailureLimiter(settings.Time);
        coordinator = new Restart.RestartCoordinator(settings.Time,
            reason => RestartModeSelector.WireName(RestartModeSelector.Select(Environment.GetEnvironmentVariable, CurrentSupervisor(), reason)));
        spawner = new FreshProcessSpawner(settings.State, settings.Faults, bundles, settings.Time, logger);
        claim = new GatewayClaim(settings, logger);
        if (settings.Spawned is { Respawned: true })
        {
            // This process IS a restart (fresh-PID respawn): the cooldown between restarts runs from now.
            coordinator.Completed();
        }
        this.exitProcess = exitProcess ?? (code => Environment.Exit((int)code));
        using var process = Process.GetCurrentProcess();
        processStartedAt = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
    }

    public ChannelWriter<RunLoopCommand> Commands => commands.Writer;

    public GatewayRunState State => state;

    /// <summary>The server generation now serving, if any.</summary>
    public GatewayServer? Server => server;

    /// <summary>Runs until stopped; returns the process exit code.</summary>
    public async Task<ExitCode> RunAsync(GatewayConfig firstConfig, CancellationToken cancellationToken)
    {
        if (settings.Spawned is { Respawned: true } origin && settings.Faults.SpawnedChildNeverReady)
        {
            LifecycleLog.NeverReadyFault(logger, origin.ParentPid);
            await WaitForStopAsync(cancellationToken).ConfigureAwait(false);
            return ExitCode.Success;
        }
        if (await StartAsync(firstConfig, firstStart: true, cancellationToken).ConfigureAwait(false) is { } failure)
        {
            Transition(GatewayRunState.Stopped, "first start failed");
            return failure;
        }
        if (settings.Faults.CrashAfterReady)
        {
            exitProcess(ExitCode.Failure);
        }
        while (true)
        {
            var command = Resolve(await NextCommandAsync(cancellationToken).ConfigureAwait(false));
            pendingCommand = null;
            var decision = RunLoopPolicy.Decide(state, command, config.Restart.Enabled);
            LogDecision(command, decision);
            switch (decision.Action)
            {
                case LoopAction.Stop:
                    await StopAsync(command.Source, cancellationToken).ConfigureAwait(false);
                    return ExitCode.Success;
                case LoopAction.Restart:
                    var request = (RunLoopCommand.RestartRequested)command;
                    if (PlanFor(request) is not { } plan)
                    {
                        LifecycleLog.RestartCoalesced(logger, command.Source);
                        Complete(command, RestartOutcome.Coalesced);
                        break;
                    }
                    var outcome = await RestartAsync(request, plan, cancellationToken).ConfigureAwait(false);
                    if (outcome is RestartOutcome.Stopped or RestartOutcome.HandedToChild)
                    {
                        return ExitCode.Success;
                    }
                    if (outcome == RestartOutcome.HandedToSupervisor)
                    {
                        return ExitCode.Restart;
                    }
                    break;
                default:
                    Complete(command, decision.Action == LoopAction.Coalesce ? RestartOutcome.Coalesced : RestartOutcome.Ignored);
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            server = null;
        }
        gatewayLock?.Dispose();
        gatewayLock = null;
        listener?.Dispose();
        listener = null;
    }

    private async Task StopAsync(string source, CancellationToken cancellationToken)
    {
        if (state == GatewayRunState.StartFailed)
        {
            RestartInProgress.End(settings.State);
            Transition(GatewayRunState.Stopped, $"stop requested by {source}");
            return;
        }
        Transition(GatewayRunState.Closing, $"stop requested by {source}");
        await CloseServerAsync(restart: false, cancellationToken).ConfigureAwait(false);
        Transition(GatewayRunState.Stopped, "closed");
        LifecycleLog.Stopped(logger, source);
    }

    /// <summary>
    /// A SIGTERM with a valid restart intent for this process means restart; a SIGUSR1 takes
    /// the intent's options. The intent file is consumed (deleted) either way.
    /// </summary>
    private RunLoopCommand Resolve(RunLoopCommand command)
    {
        var fromSignal = command is RunLoopCommand.StopRequested { Source: "SIGTERM" }
            || command is RunLoopCommand.RestartRequested { Plan: null, Source: "SIGUSR1" };
        if (!fromSignal)
        {
            return command;
        }
        var intent = Restart.RestartIntentStore.Consume(settings.State, Environment.ProcessId, settings.Time.GetUtcNow(), out var warning);
        if (warning is not null)
        {
            LifecycleLog.IntentIgnored(logger, warning);
        }
        return command switch
        {
            RunLoopCommand.StopRequested when intent is not null =>
                new RunLoopCommand.RestartRequested("SIGTERM+intent", intent.Reason ?? "restart intent") { Intent = intent },
            RunLoopCommand.RestartRequested restart when intent is not null => restart with { Intent = intent },
            _ => command,
        };
    }

    /// <summary>The plan of a restart: the RPC's, or one decided now for a signal (null when it joins a pending restart).</summary>
    private Restart.RestartPlan? PlanFor(RunLoopCommand.RestartRequested request)
    {
        if (request.Plan is { } decided)
        {
            return decided;
        }
        if (server is null)
        {
            // Nothing serves (a failed start): nothing to drain, no pending restart to join.
            return new Restart.RestartPlan(true, TimeSpan.Zero, TimeSpan.Zero, request.Reason);
        }
        var intent = request.Intent;
        var ask = new Restart.RestartAsk(request.Source, intent?.Reason, false, false, intent?.Force, intent?.WaitMs);
        return coordinator.Decide(ask, server.Restart.Preflight(), config.Restart).Plan;
    }

    private async Task<RestartOutcome> RestartAsync(RunLoopCommand.RestartRequested command, Restart.RestartPlan plan, CancellationToken cancellationToken)
    {
        RestartOutcome outcome;
        try
        {
            outcome = await RestartInnerAsync(command, plan, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (state != GatewayRunState.StartFailed)
            {
                RestartInProgress.End(settings.State);
            }
        }
        if (outcome == RestartOutcome.Stopped)
        {
            coordinator.Abandoned();
        }
        else
        {
            coordinator.Completed();
        }
        return outcome;
    }

    private async Task<RestartOutcome> RestartInnerAsync(RunLoopCommand.RestartRequested command, Restart.RestartPlan plan, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (state == GatewayRunState.Running)
        {
            if (plan.Delay > TimeSpan.Zero && await AwaitHandlingCommandsAsync(Task.Delay(plan.Delay, settings.Time, cancellationToken)).ConfigureAwait(false))
            {
                return await StopInsteadAsync(command, cancellationToken).ConfigureAwait(false);
            }
            if (!plan.Force)
            {
                Transition(GatewayRunState.Draining, plan.Reason);
                server!.BeginDraining();
                server.Work.AbortCompactingRuns();
                var drain = new Restart.RestartDrain(logger, settings.Time);
                drain.LogBlockers(server.Restart.Preflight());
                if (await AwaitHandlingCommandsAsync(drain.WaitAsync(server.Work, plan.DrainBudget, cancellationToken)).ConfigureAwait(false))
                {
                    return await StopInsteadAsync(command, cancellationToken).ConfigureAwait(false);
                }
            }
            Transition(GatewayRunState.Restarting, plan.Force ? $"forced restart requested by {command.Source}" : "drained");
            RestartInProgress.Begin(settings.State, settings.Time);
            if (await CloseServerAsync(restart: true, cancellationToken).ConfigureAwait(false))
            {
                Transition(GatewayRunState.Stopped, "stop requested during the restart");
                LifecycleLog.Stopped(logger, "stop during restart");
                Complete(command, RestartOutcome.Stopped);
                return RestartOutcome.Stopped;
            }
        }
        var supervisor = CurrentSupervisor();
        var mode = RestartModeSelector.Select(Environment.GetEnvironmentVariable, supervisor, plan.Reason);
        switch (mode)
        {
            case RestartMode.SupervisedExit:
                // The lock is released; a supervised restart exits 75, never 0, so that a
                // manager that restarts only on failure still brings the gateway back.
                Transition(GatewayRunState.Stopped, "handing the restart to the supervisor");
                LifecycleLog.ExitingForSupervisor(logger, supervisor.ToString().ToLowerInvariant());
                Complete(command, RestartOutcome.HandedToSupervisor);
                return RestartOutcome.HandedToSupervisor;
            case RestartMode.LaunchdKickstart:
                LifecycleLog.KickstartNotBuilt(logger);
                break;
            case RestartMode.Spawn or RestartMode.SpawnForUpdate:
                if (await RespawnAsync(command, mode == RestartMode.SpawnForUpdate, cancellationToken).ConfigureAwait(false) is { } handedOver)
                {
                    return handedOver;
                }
                break;
        }
        Transition(GatewayRunState.Starting, "restarting in process");
        GatewayConfig next;
        try
        {
            next = ConfigLoader.Load(settings.State, settings.Overrides);
        }
        catch (ConfigException e)
        {
            ClaimLog.StartFailed(logger, e.Message);
            return FailRestart(command, e.Message, e);
        }
        if (await StartAsync(next, firstStart: false, cancellationToken).ConfigureAwait(false) is not null)
        {
            return FailRestart(command, "the server did not start (see the error above)", null);
        }
        restarts++;
        LifecycleLog.Restarted(logger, Stopwatch.GetElapsedTime(started).TotalMilliseconds, restarts);
        Complete(command, RestartOutcome.Restarted);
        return RestartOutcome.Restarted;
    }

    /// <summary>
    /// Fresh-PID respawn, answering commands while the child starts. Returns the outcome when
    /// this process is done (the child took over, or a stop arrived); null when the respawn
    /// failed and the restart goes on in process on the socket this process still holds.
    /// </summary>
    private async Task<RestartOutcome?> RespawnAsync(RunLoopCommand.RestartRequested command, bool update, CancellationToken cancellationToken)
    {
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var respawn = spawner.RespawnAsync(listener, config.Restart.SpawnReadyTimeout, update, abandon.Token);
        var stopRequested = await AwaitHandlingCommandsAsync(respawn, abandon).ConfigureAwait(false);
        var result = await respawn.ConfigureAwait(false);
        if (result is RespawnResult.Ready stopped && stopRequested)
        {
            // The stop arrived while the child's last readiness probe succeeded: the operator wants no gateway, the child included.
            await FreshProcessSpawner.StopChildAsync(stopped.ChildPid, config.Shutdown.StopTimeout, settings.Time).ConfigureAwait(false);
        }
        else if (result is RespawnResult.Ready ready)
        {
            Transition(GatewayRunState.Stopped, $"pid {ready.ChildPid} took over");
            Complete(command, RestartOutcome.HandedToChild);
            return RestartOutcome.HandedToChild;
        }
        if (stopRequested || result is RespawnResult.Failed { Failure: RespawnFailure.ChildStopped })
        {
            Transition(GatewayRunState.Stopped, "stop requested during the respawn");
            LifecycleLog.Stopped(logger, "stop during restart");
            Complete(command, RestartOutcome.Stopped);
            return RestartOutcome.Stopped;
        }
        return null;
    }

    /// <summary>The <c>spawned-child-never-ready</c> fault: serve nothing, answer only a stop.</summary>
    private async Task WaitForStopAsync(CancellationToken cancellationToken)
    {
        while (await commands.Reader.ReadAsync(cancellationToken).ConfigureAwait(false) is not RunLoopCommand.StopRequested)
        {
        }
        Transition(GatewayRunState.Stopped, "stop requested (test fault spawned-child-never-ready)");
    }

    private async Task<RestartOutcome> StopInsteadAsync(RunLoopCommand.RestartRequested command, CancellationToken cancellationToken)
    {
        Transition(GatewayRunState.Closing, "stop requested before the restart began");
        await CloseServerAsync(restart: false, cancellationToken).ConfigureAwait(false);
        Transition(GatewayRunState.Stopped, "closed");
        LifecycleLog.Stopped(logger, "stop during restart");
        Complete(command, RestartOutcome.Stopped);
        return RestartOutcome.Stopped;
    }

    private RestartOutcome FailRestart(RunLoopCommand.RestartRequested command, string reason, Exception? error)
    {
        Transition(GatewayRunState.StartFailed, reason);
        // A process that cannot serve must not hold the port: clients would queue in the backlog and hang.
        listener?.Dispose();
        listener = null;
        RestartInProgress.Failed(settings.State, settings.Time, reason);
        var bundle = bundles.Write("restart-start-failed", reason, error);
        LifecycleLog.RestartStartFailed(logger, reason, bundle ?? "not written");
        Complete(command, RestartOutcome.StartFailed);
        return RestartOutcome.StartFailed;
    }

    /// <summary>Returns null when serving, else the exit code a first start ends with.</summary>
    private async Task<ExitCode?> StartAsync(GatewayConfig next, bool firstStart, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        config = next;
        foreach (var warning in next.Warnings)
        {
            LifecycleLog.ConfigWarning(logger, warning);
        }
        var options = next.Gateway;
        (gatewayLock, var lockFailure) = await claim.AcquireLockAsync(options, firstStart, cancellationToken).ConfigureAwait(false);
        if (lockFailure is not null)
        {
            return lockFailure;
        }
        (listener, var bindFailure) = await claim.EnsureListeningAsync(listener, options, firstStart, cancellationToken).ConfigureAwait(false);
        if (bindFailure is not null)
        {
            ReleaseLock();
            return bindFailure;
        }
        try
        {
            // Inside the try: a lock file that cannot be written (a full disk) fails this start, it does not escape the loop.
            gatewayLock!.RecordPort(listener!.Endpoint.Port);
            var secret = options.AuthMode switch
            {
                AuthMode.Token => TokenStore.LoadOrCreate(settings.State, options),
                AuthMode.Password => options.Password,
                _ => null,
            };
            server = GatewayServer.Create(new GatewayServerSettings(next, settings.State, listener, secret, loggerFactory,
                authLimiter, () => state, processStartedAt, () => restarts, settings.Faults, coordinator, commands.Writer, settings.Time));
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            ClaimLog.StartFailed(logger, e.Message);
            var code = e is Storage.StoreException ? ExitCode.Config : ExitCode.Failure;
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
                server = null;
            }
            ReleaseLock();
            return code;
        }
        Transition(GatewayRunState.Running, "server started");
        var endpoint = listener.Endpoint;
        LifecycleLog.Ready(logger, $"ws://{HealthProbe.ConnectAddress(endpoint.Address)}:{endpoint.Port}", Environment.ProcessId,
            server.Runtime.BootId, options.AuthMode.ToString().ToLowerInvariant(), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return null;
    }

    /// <summary>Closes the server with the watchdog armed, handling commands that arrive meanwhile. True when a stop overtook a restart.</summary>
    private async Task<bool> CloseServerAsync(bool restart, CancellationToken cancellationToken)
    {
        var budget = config.Shutdown.StopTimeout;
        var what = restart ? "restart" : "stop";
        using var watchdog = ShutdownWatchdog.Arm(settings.Time, budget, () => OnWatchdogExpired(what, budget));
        return await AwaitHandlingCommandsAsync(CloseAndReleaseAsync(restart, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Awaits <paramref name="work"/> while answering the commands that arrive meanwhile through
    /// <see cref="RunLoopPolicy"/>. True when a stop was requested (the caller then stops
    /// instead of, or right after, what it was doing); <paramref name="cancelOnStop"/>, when
    /// given, is cancelled at once so that the work ends early.
    /// </summary>
    private async Task<bool> AwaitHandlingCommandsAsync(Task work, CancellationTokenSource? cancelOnStop = null)
    {
        var stopRequested = false;
        while (!work.IsCompleted)
        {
            var next = NextCommandAsync(CancellationToken.None);
            if (await Task.WhenAny(work, next).ConfigureAwait(false) != next)
            {
                break;
            }
            var command = Resolve(await next.ConfigureAwait(false));
            pendingCommand = null;
            var decision = RunLoopPolicy.DecideWhileRestartPending(state, command, config.Restart.Enabled);
            LogDecision(command, decision);
            stopRequested |= decision.Action is LoopAction.UpgradeToStop or LoopAction.Stop;
            if (stopRequested && cancelOnStop is not null)
            {
                await cancelOnStop.CancelAsync().ConfigureAwait(false);
            }
            Complete(command, decision.Action == LoopAction.Coalesce ? RestartOutcome.Coalesced : RestartOutcome.Ignored);
            if (decision.Action == LoopAction.Stop)
            {
                // A stop during a drain or a cooldown ends the wait: nothing is left to wait for.
                break;
            }
        }
        if (work.IsCompleted)
        {
            await work.ConfigureAwait(false);
        }
        return stopRequested;
    }

    private async Task CloseAndReleaseAsync(bool restart, CancellationToken cancellationToken)
    {
        try
        {
            if (server is not null)
            {
                await server.StopAsync(restart, restart ? "gateway restarting" : "gateway stopping", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LifecycleLog.CloseFailed(logger, e);
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
                server = null;
            }
            ReleaseLock();
        }
    }

    private void OnWatchdogExpired(string what, TimeSpan budget)
    {
        var bundle = bundles.Write("shutdown-timeout", $"the {what} did not finish within {budget.TotalMilliseconds:F0} ms");
        LifecycleLog.WatchdogExpired(logger, what, (long)budget.TotalMilliseconds, bundle ?? "not written");
        exitProcess(ExitCode.Failure);
    }

    /// <summary>
    /// Who supervises this process now: a built-in supervisor that has died (this process was
    /// re-parented) cannot restart it, so an exit 75 would leave no gateway at all.
    /// </summary>
    private SupervisorKind CurrentSupervisor()
    {
        var now = SupervisorDetection.Detect(Environment.GetEnvironmentVariable, Infrastructure.Posix.ParentPid());
        if (now != settings.Supervisor)
        {
            LifecycleLog.SupervisorGone(logger, settings.Supervisor.ToString().ToLowerInvariant());
        }
        return now;
    }

    private void ReleaseLock()
    {
        gatewayLock?.Dispose();
        gatewayLock = null;
    }

    private Task<RunLoopCommand> NextCommandAsync(CancellationToken cancellationToken) =>
        pendingCommand ??= commands.Reader.ReadAsync(cancellationToken).AsTask();

    private void LogDecision(RunLoopCommand command, LoopDecision decision)
    {
        var name = command is RunLoopCommand.StopRequested ? "stop" : "restart";
        if (decision.Action == LoopAction.Ignore)
        {
            LifecycleLog.CommandIgnored(logger, name, command.Source, decision.Reason);
            return;
        }
        LifecycleLog.CommandDecided(logger, name, command.Source, decision.Action.ToString(), decision.Reason);
    }

    private static void Complete(RunLoopCommand command, RestartOutcome outcome)
    {
        if (command is RunLoopCommand.RestartRequested { Outcome: { } answer })
        {
            answer.TrySetResult(outcome);
        }
    }

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

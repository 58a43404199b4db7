using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Respawn;
using ClawSharp.Gateway.Restart;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// One restart, from its decision to its end, carried out by the run loop as one step.
/// Order: wait (briefly) until the requester has its answer; wait out the cooldown; drain
/// (unless forced) within the plan's budget; close the server with the watchdog armed while
/// <c>restarting.json</c> names this process; select the restart mode and carry it out: exit 75
/// for a supervisor (after <c>launchctl kickstart -k</c> under launchd), hand over to a fresh
/// process, or start a new generation in process.
/// A stop (<see cref="RequestStop"/>) cuts the waits short: before the close the restart is
/// abandoned and the old generation is left for the loop to stop; after it, nothing is
/// started again. Invariant: the sequence owns the generation it closes from its creation
/// until it ends; the loop touches it again only through <see cref="Current"/> or <see cref="Generation"/>.
/// </summary>
internal sealed class RestartSequence
{
    /// <summary>How long the close waits for an RPC's answer to leave: long enough for one frame, short enough that a lost connection does not hold a restart.</summary>
    private static readonly TimeSpan AnswerGrace = TimeSpan.FromSeconds(1);

    private readonly RestartPlan plan;
    private readonly RunLoopCommand.RestartRequested request;
    private readonly GatewayConfig config;
    private readonly RestartContext context;
    // Never disposed: the loop may still call RequestStop after the sequence ended, and no timer hangs on it.
    private readonly CancellationTokenSource stop = new();
    // Cuts the cooldown and the drain short (an escalation: --force now, or a shorter --wait); never disposed, like stop.
    private readonly CancellationTokenSource cut;
    private readonly Lock escalation = new();
    private DateTimeOffset? drainDeadline;
    private volatile bool forced;
    private bool draining;
    private volatile bool closing;

    /// <param name="plan">The decided plan (force, drain budget, cooldown, reason).</param>
    /// <param name="decision">The coordinator's decision, answered to requests that join this restart; null when nothing served (no drain, no cooldown).</param>
    /// <param name="request">The request that started it.</param>
    /// <param name="current">The generation that serves now; null after a failed start.</param>
    /// <param name="config">The configuration in force (the spawn budget, the watchdog).</param>
    /// <param name="context">What every sequence works with.</param>
    public RestartSequence(RestartPlan plan, RestartDecision? decision, RunLoopCommand.RestartRequested request, IGatewayGeneration? current,
        GatewayConfig config, RestartContext context)
    {
        this.plan = plan;
        Decision = decision;
        this.request = request;
        Current = current;
        this.config = config;
        this.context = context;
        cut = new CancellationTokenSource(Timeout.InfiniteTimeSpan, context.Time);
        forced = plan.Force;
    }

    /// <summary>The decision of the restart in flight; a request that joins gets it back, marked coalesced.</summary>
    public RestartDecision? Decision { get; }

    /// <summary>The old generation while it still serves (until the close begins); after <see cref="RestartOutcome.Abandoned"/>, the one to stop.</summary>
    public IGatewayGeneration? Current { get; private set; }

    /// <summary>The new generation after <see cref="RestartOutcome.Restarted"/>.</summary>
    public IGatewayGeneration? Generation { get; private set; }

    /// <summary>Why the gateway ends after <see cref="RestartOutcome.Stopped"/> or <see cref="RestartOutcome.HandedToChild"/>.</summary>
    public string EndReason { get; private set; } = "";

    /// <summary>Why this restart was asked for (the plan's reason).</summary>
    public string Reason => plan.Reason;

    /// <summary>The fresh process after <see cref="RestartOutcome.HandedToChild"/>.</summary>
    public int ChildPid { get; private set; }

    /// <summary>From the request to the end of the sequence.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>The active work now while the old generation serves; the work at the decision once it closes.</summary>
    public PreflightResult? Preflight()
    {
        if (!closing && Current is { } serving)
        {
            try
            {
                return serving.Preflight();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The close began between the check and the count, or the store failed: the work at the decision answers.
            }
        }
        return Decision?.Preflight;
    }

    /// <summary>A stop arrived: cut the current wait short; the sequence ends as soon as it can.</summary>
    public void RequestStop() => stop.Cancel();

    /// <summary>
    /// A request that joins this restart asks for more: <paramref name="force"/> restarts now
    /// (the cooldown and the drain end at once); <paramref name="waitMs"/> caps the drain from
    /// now, when that is sooner than its current end (a cap never lengthens a drain). Returns
    /// what was escalated (<c>force</c> or <c>wait</c>), or null when nothing changed (the
    /// close has begun, or the cap is not sooner).
    /// </summary>
    public string? Escalate(bool force, long? waitMs)
    {
        lock (escalation)
        {
            if (closing || (!force && waitMs is null))
            {
                return null;
            }
            if (force)
            {
                forced = true;
                cut.Cancel();
                return "force";
            }
            var now = context.Time.GetUtcNow();
            var cap = waitMs == 0 ? (DateTimeOffset?)null : now + TimeSpan.FromMilliseconds(waitMs!.Value);
            if (cap is not { } deadline || (drainDeadline is { } current && current <= deadline))
            {
                return null;
            }
            drainDeadline = deadline;
            if (draining)
            {
                cut.CancelAfter(deadline - now);
            }
            return "wait";
        }
    }

    /// <param name="enter">Moves the loop's state (the loop checks and logs the edge).</param>
    /// <param name="cancellationToken">The process is going away.</param>
    public async Task<RestartOutcome> RunAsync(Action<GatewayRunState, string> enter, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        var outcome = RestartOutcome.StartFailed;
        context.Notifications.Reloading();
        try
        {
            outcome = await RunStepsAsync(enter, cancellationToken).ConfigureAwait(false);
            return outcome;
        }
        finally
        {
            Elapsed = context.Time.GetElapsedTime(started);
            // An exit 75 leaves the record to the supervisor, which reads the restart's reason for the next gateway and deletes it.
            if (outcome is not (RestartOutcome.StartFailed or RestartOutcome.HandedToSupervisor))
            {
                RestartInProgress.End(context.State);
            }
        }
    }

    private async Task<RestartOutcome> RunStepsAsync(Action<GatewayRunState, string> enter, CancellationToken cancellationToken)
    {
        if (Current is { } serving)
        {
            await WaitUntilStopOrAsync(request.Requester?.AnswerSent.WaitAsync(AnswerGrace, context.Time) ?? Task.CompletedTask).ConfigureAwait(false);
            using var stopOrCut = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, cut.Token);
            if (plan.Delay > TimeSpan.Zero)
            {
                await WaitUntilStopOrAsync(Task.Delay(plan.Delay, context.Time, stopOrCut.Token)).ConfigureAwait(false);
            }
            if (!forced && !stop.IsCancellationRequested)
            {
                enter(GatewayRunState.Draining, plan.Reason);
                serving.BeginDraining();
                using (DrainStatusReporter.Start(serving.Preflight, context.Notifications, context.Time))
                {
                    await WaitUntilStopOrAsync(serving.DrainAsync(restart: true, BeginDrain(), stopOrCut.Token)).ConfigureAwait(false);
                }
            }
            if (stop.IsCancellationRequested)
            {
                return RestartOutcome.Abandoned;
            }
            enter(GatewayRunState.Restarting, forced ? $"forced restart requested by {request.Source}" : cut.IsCancellationRequested ? "drain capped" : "drained");
            context.Notifications.Status("restarting");
            closing = true;
            Current = null;
            RestartInProgress.Begin(context.State, context.Time, plan.Reason);
            await context.Closer.CloseAsync(serving, restart: true, cancellationToken).ConfigureAwait(false);
            if (stop.IsCancellationRequested)
            {
                EndReason = "stop requested during the restart";
                return RestartOutcome.Stopped;
            }
        }
        closing = true;
        var (mode, supervisor) = context.SelectMode(plan.Reason);
        switch (mode)
        {
            case RestartMode.SupervisedExit:
                // The lock is released; a supervised restart exits 75, never 0, so that a
                // manager that restarts only on failure still brings the gateway back.
                LifecycleLog.ExitingForSupervisor(context.Logger, supervisor);
                EndReason = "handing the restart to the supervisor";
                return RestartOutcome.HandedToSupervisor;
            case RestartMode.LaunchdKickstart:
                if (await KickstartAsync(cancellationToken).ConfigureAwait(false) is { } kickstarted)
                {
                    return kickstarted;
                }
                break;
            case RestartMode.Spawn or RestartMode.SpawnForUpdate or RestartMode.SpawnSupervisor:
                var update = mode == RestartMode.SpawnForUpdate || (mode == RestartMode.SpawnSupervisor && RestartModeSelector.IsUpdate(plan.Reason));
                if (await RespawnAsync(update, asSupervisor: mode == RestartMode.SpawnSupervisor, cancellationToken).ConfigureAwait(false) is { } handedOver)
                {
                    return handedOver;
                }
                break;
        }
        return await StartInProcessAsync(enter, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The drain's budget: the plan's, or less when an escalation capped it during the cooldown.</summary>
    private TimeSpan BeginDrain()
    {
        lock (escalation)
        {
            draining = true;
            var now = context.Time.GetUtcNow();
            var budget = plan.DrainBudget;
            if (drainDeadline is { } deadline && (budget == Timeout.InfiniteTimeSpan || deadline - now < budget))
            {
                budget = deadline - now < TimeSpan.Zero ? TimeSpan.Zero : deadline - now;
            }
            // The drain's end from now on: a later cap is compared with it, so that a cap never lengthens the drain.
            drainDeadline = budget == Timeout.InfiniteTimeSpan ? null : now + budget;
            return budget;
        }
    }

    /// <summary>
    /// Under launchd: <c>launchctl kickstart -k</c> this job, with the server closed and the lock
    /// released, since launchd's answer is to SIGTERM this process and start a fresh one. Null when
    /// it failed: the restart goes on in process, never an exit that a supervisor would not answer.
    /// </summary>
    private async Task<RestartOutcome?> KickstartAsync(CancellationToken cancellationToken)
    {
        using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop.Token);
        KickstartResult result;
        try
        {
            result = await context.Kickstarter.KickstartAsync(interrupted.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // launchd's SIGTERM arrived before launchctl answered: that stop is the kickstart itself
            // (or an operator's stop, which launchd's KeepAlive would answer the same way).
            LifecycleLog.LaunchdKickstarted(context.Logger, "this job (stopped by launchd before launchctl answered)");
            EndReason = "launchd restarts the job (launchctl kickstart -k)";
            return RestartOutcome.HandedToSupervisor;
        }
        if (result.Succeeded)
        {
            LifecycleLog.LaunchdKickstarted(context.Logger, result.Target);
            EndReason = "launchd restarts the job (launchctl kickstart -k)";
            return RestartOutcome.HandedToSupervisor;
        }
        if (stop.IsCancellationRequested)
        {
            EndReason = "stop requested during the restart";
            return RestartOutcome.Stopped;
        }
        LifecycleLog.LaunchdKickstartFailed(context.Logger, result.Target.Length > 0 ? result.Target : "the launchd job", result.Detail);
        return null;
    }

    /// <summary>Null when the respawn failed and the restart goes on in process on the socket this process still holds.</summary>
    private async Task<RestartOutcome?> RespawnAsync(bool update, bool asSupervisor, CancellationToken cancellationToken)
    {
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop.Token);
        // The copy inherits the reason (SpawnOrigin reads it) and counts the restart in its fresh metrics.
        Environment.SetEnvironmentVariable(SpawnOrigin.RestartReasonVariable, plan.Reason);
        RespawnResult result;
        try
        {
            result = await context.Respawner.RespawnAsync(config.Restart.SpawnReadyTimeout, update, asSupervisor, abandon.Token).ConfigureAwait(false);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SpawnOrigin.RestartReasonVariable, null);
        }
        if (result is RespawnResult.Ready stopped && stop.IsCancellationRequested)
        {
            // The stop arrived while the child's last readiness probe succeeded: the operator wants no gateway, the child included.
            await context.Respawner.StopChildAsync(stopped.ChildPid, new ShutdownBudget(config.Shutdown).ChildStop).ConfigureAwait(false);
        }
        else if (result is RespawnResult.Ready ready)
        {
            EndReason = $"pid {ready.ChildPid} took over";
            ChildPid = ready.ChildPid;
            return RestartOutcome.HandedToChild;
        }
        if (stop.IsCancellationRequested || result is RespawnResult.Failed { Failure: RespawnFailure.ChildStopped })
        {
            EndReason = "stop requested during the respawn";
            return RestartOutcome.Stopped;
        }
        return null;
    }

    private async Task<RestartOutcome> StartInProcessAsync(Action<GatewayRunState, string> enter, CancellationToken cancellationToken)
    {
        enter(GatewayRunState.Starting, "restarting in process");
        GatewayConfig next;
        try
        {
            next = context.Starter.LoadConfig();
        }
        catch (ConfigException e)
        {
            Claim.ClaimLog.StartFailed(context.Logger, e.Message);
            return Fail(enter, e.Message, e);
        }
        if (await context.Starter.StartAsync(next, firstStart: false, cancellationToken).ConfigureAwait(false) is not GenerationStart.Started started)
        {
            return Fail(enter, "the server did not start (see the error above)", null);
        }
        Generation = started.Generation;
        enter(GatewayRunState.Running, "server started");
        started.Generation.AnnounceReady();
        context.Notifications.Ready(started.Generation.ServingOn);
        return RestartOutcome.Restarted;
    }

    private RestartOutcome Fail(Action<GatewayRunState, string> enter, string reason, Exception? error)
    {
        enter(GatewayRunState.StartFailed, reason);
        context.Starter.ReleaseListener();
        RestartInProgress.Failed(context.State, context.Time, reason);
        var bundle = context.Bundles.Write("restart-start-failed", reason, error);
        LifecycleLog.RestartStartFailed(context.Logger, reason, bundle ?? "not written");
        context.Notifications.Status($"restart failed: {reason}; send SIGUSR1 to try again");
        return RestartOutcome.StartFailed;
    }

    /// <summary>Awaits <paramref name="wait"/>; a stop or a timeout ends it without an exception (the caller checks for the stop).</summary>
    private static async Task WaitUntilStopOrAsync(Task wait)
    {
        try
        {
            await wait.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
    }
}

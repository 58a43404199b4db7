using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// One stop of a generation that serves, carried out by the run loop's stop path while the
/// state is <see cref="GatewayRunState.Closing"/>. Order: unless the stop drain budget is zero
/// (<see cref="ShutdownBudget.StopDrain"/>), refuse new work (/readyz 503, the gate a restart's
/// drain uses) and wait for active runs, reply deliveries and tasks within that budget, with
/// the restart's drain (<see cref="IGatewayGeneration.DrainAsync"/>), telling systemd what is
/// left and keeping its stop timeout from running out meanwhile; then close under the watchdog
/// (what still runs is cut and queued again for the next start). A second stop signal
/// (<see cref="CutDrain"/>) ends the drain at once; once the close has begun it changes nothing.
/// </summary>
/// <param name="context">What every stop and restart sequence works with.</param>
/// <param name="serving">The generation to stop; the sequence owns it from now on.</param>
internal sealed class StopSequence(RestartContext context, IGatewayGeneration serving)
{
    // Never disposed: the loop may still call CutDrain after the sequence ended, and no timer hangs on it.
    private readonly CancellationTokenSource cut = new();
    private readonly Lock gate = new();
    private readonly TimeSpan budget = new ShutdownBudget(serving.Config.Shutdown).StopDrain;
    // Without a drain the close is all there is: a second signal has nothing to cut from the start.
    private bool closing = new ShutdownBudget(serving.Config.Shutdown).StopDrain <= TimeSpan.Zero;

    /// <summary>A second stop signal: cuts the drain short. False when the close has begun already (nothing left to cut).</summary>
    /// <param name="source">Who asked, for the log.</param>
    public bool CutDrain(string source)
    {
        lock (gate)
        {
            if (closing)
            {
                return false;
            }
            LifecycleLog.StopDrainCut(context.Logger, source);
            cut.Cancel();
            return true;
        }
    }

    /// <param name="cancellationToken">The process is going away.</param>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (budget > TimeSpan.Zero && !cut.IsCancellationRequested)
        {
            LifecycleLog.StopDrainStarted(context.Logger, (long)budget.TotalMilliseconds);
            serving.BeginDraining();
            using (DrainStatusReporter.Start(serving.Preflight, context.Notifications, context.Time))
            using (StopTimeoutExtender.Start(context.ServiceStopTimeout, budget, context.Notifications, context.Time))
            {
                try
                {
                    await serving.DrainAsync(restart: false, budget, cut.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cut.IsCancellationRequested)
                {
                }
            }
        }
        lock (gate)
        {
            closing = true;
        }
        context.Notifications.Status("stopping: closing");
        await context.Closer.CloseAsync(serving, restart: false, cancellationToken).ConfigureAwait(false);
    }
}

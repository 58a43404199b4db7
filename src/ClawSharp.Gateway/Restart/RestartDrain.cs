using ClawSharp.Gateway.Metrics;
using ClawSharp.Gateway.Work;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Restart;

/// <summary>
/// The wait of a safe restart, and of a stop: until the active work is done, or the budget is
/// spent. One drain for both, so that a stop waits for exactly what a restart waits for.
/// </summary>
/// <param name="logger">The drain's log.</param>
/// <param name="time">The clock of the budget.</param>
/// <param name="restart">A restart's drain (else a stop's): only the log lines differ.</param>
internal sealed class RestartDrain(ILogger logger, TimeProvider time, bool restart = true)
{
    private readonly string purpose = restart ? "restart" : "stop";
    private readonly string next = restart ? "restarting" : "stopping";

    private static readonly TimeSpan DrainProgressInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Waits until no run, task or delivery is active, waking on each completion (never a slow
    /// poll); logs what is left every 30 s; returns when the budget runs out (the close then
    /// cuts what is left, and cut runs are queued again) or when cancelled (a stop).
    /// </summary>
    public async Task WaitAsync(WorkHost work, TimeSpan budget, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var deadline = budget == Timeout.InfiniteTimeSpan ? (DateTimeOffset?)null : time.GetUtcNow() + budget;
        var nextProgressLog = time.GetUtcNow() + DrainProgressInterval;
        while (!cancellationToken.IsCancellationRequested)
        {
            var changed = work.WhenChangedAsync();
            if (work.IsIdle)
            {
                RestartLog.DrainComplete(logger, time.GetElapsedTime(started).TotalMilliseconds, next);
                GatewayMetrics.RecordDrain(purpose, time.GetElapsedTime(started));
                return;
            }
            var now = time.GetUtcNow();
            if (deadline is { } end && now >= end)
            {
                var counters = work.Counters;
                RestartLog.DrainBudgetExpired(logger, (long)budget.TotalMilliseconds, counters.ActiveRuns, counters.ActiveTasks, next);
                GatewayMetrics.RecordDrain(purpose, time.GetElapsedTime(started));
                return;
            }
            if (now >= nextProgressLog)
            {
                var counters = work.Counters;
                RestartLog.StillDraining(logger, counters.ActiveTasks, counters.ActiveRuns);
                nextProgressLog = now + DrainProgressInterval;
            }
            var wake = nextProgressLog - now;
            if (deadline is { } limit && limit - now < wake)
            {
                wake = limit - now;
            }
            await Task.WhenAny(changed, Task.Delay(wake, time, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Logs what the drain waits for: the summary, each task (at most 8), then "+N more".</summary>
    public void LogBlockers(PreflightResult preflight)
    {
        RestartLog.DrainStarted(logger, purpose, preflight.Summary);
        var tasks = preflight.Blockers.Where(b => b.Task is not null).ToList();
        foreach (var task in tasks)
        {
            RestartLog.DrainBlocker(logger, task.Message);
        }
        var running = preflight.Counts.ActiveTasks;
        if (running > tasks.Count)
        {
            RestartLog.DrainBlocker(logger, $"+{running - tasks.Count} more");
        }
    }
}

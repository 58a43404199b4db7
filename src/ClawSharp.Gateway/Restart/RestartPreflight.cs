using System.Globalization;
using ClawSharp.Gateway.Storage;
using ClawSharp.Gateway.Work;

namespace ClawSharp.Gateway.Restart;

/// <summary>
/// Counts the active work and names the blockers, with the messages of PROTOCOL.md. Pure:
/// only running, non-ended tasks block; <c>safe</c> is true exactly when there is no blocker.
/// </summary>
internal static class RestartPreflight
{
    public const int MaxListedTasks = 8;
    private const int MaxTitleChars = 80;

    public static PreflightResult Compute(WorkCounters counters, IReadOnlyList<TaskRecord> runningTasks, DateTimeOffset now)
    {
        var blockers = new List<PreflightBlocker>();
        if (counters.QueueSize > 0)
        {
            blockers.Add(new("queue", counters.QueueSize, $"{counters.QueueSize} queued or active operation(s)"));
        }
        if (counters.PendingReplies > 0)
        {
            blockers.Add(new("reply", counters.PendingReplies, $"{counters.PendingReplies} pending reply delivery operation(s)"));
        }
        if (counters.ActiveRuns > 0)
        {
            blockers.Add(new("embedded-run", counters.ActiveRuns, $"{counters.ActiveRuns} active embedded run(s)"));
        }
        var running = runningTasks.Where(t => t.Status == TaskState.Running).ToList();
        foreach (var task in running.Take(MaxListedTasks))
        {
            var runtimeMs = task.StartedAt is { } started ? Math.Max(0, now.ToUnixTimeMilliseconds() - started) : 0;
            var title = task.Title is { Length: > MaxTitleChars } longTitle ? longTitle[..MaxTitleChars] : task.Title;
            blockers.Add(new("task", 1,
                $"taskId={task.TaskId} runId={task.RunId} status={StatusNames.Of(task.Status)} runtime={FormatRuntime(runtimeMs)} label={task.Label ?? "-"} title={title ?? "-"}",
                new PreflightTask(task.TaskId, task.RunId, StatusNames.Of(task.Status), runtimeMs, task.Label, title)));
        }
        if (running.Count > 0)
        {
            blockers.Add(new("task", running.Count, $"{running.Count} active background task run(s)"));
        }
        var counts = new PreflightCounts(counters.QueueSize, counters.PendingReplies, counters.ActiveRuns, 0, running.Count,
            counters.QueueSize + counters.PendingReplies + counters.ActiveRuns + running.Count);
        var summary = blockers.Count == 0 ? "safe to restart now" : "restart deferred: " + string.Join("; ", blockers.Select(b => b.Message));
        return new PreflightResult(blockers.Count == 0, counts, blockers, summary);
    }

    public static string FormatRuntime(long milliseconds) => milliseconds < 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{milliseconds}ms")
        : string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000.0:0.#}s");
}

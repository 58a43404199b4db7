using ClawSharp.Gateway.Restart;
using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// While a drain (a restart's or a stop's) runs, tells the service manager what it still waits
/// for: <c>STATUS=draining: 2 runs, 1 reply, 0 tasks</c>, sent at once and then whenever the
/// counts change, looked at once a second (so <c>systemctl status</c> moves, without a datagram per
/// completion). Disposing it ends the reports. Nothing runs when nobody listens.
/// </summary>
internal sealed class DrainStatusReporter : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly Func<PreflightResult> preflight;
    private readonly SystemdNotifications notifications;
    private readonly Lock gate = new();
    private readonly ITimer? timer;
    private string? last;
    private bool stopped;

    private DrainStatusReporter(Func<PreflightResult> preflight, SystemdNotifications notifications, TimeProvider time)
    {
        this.preflight = preflight;
        this.notifications = notifications;
        if (notifications.IsEnabled)
        {
            timer = time.CreateTimer(_ => Report(), null, TimeSpan.Zero, Interval);
        }
    }

    /// <param name="preflight">The active work now (the generation's preflight).</param>
    /// <param name="notifications">Where the status goes.</param>
    /// <param name="time">The clock of the once-a-second look.</param>
    public static DrainStatusReporter Start(Func<PreflightResult> preflight, SystemdNotifications notifications, TimeProvider time) =>
        new(preflight, notifications, time);

    /// <summary>The status line for these counts: active runs (embedded and cron), replies waiting to be delivered, running tasks.</summary>
    public static string StatusOf(PreflightCounts counts) =>
        $"draining: {Count(counts.EmbeddedRuns + counts.CronRuns, "run", "runs")}, {Count(counts.PendingReplies, "reply", "replies")}, "
        + Count(counts.ActiveTasks, "task", "tasks");

    public void Dispose()
    {
        lock (gate)
        {
            stopped = true;
        }
        timer?.Dispose();
    }

    private void Report()
    {
        string status;
        try
        {
            status = StatusOf(preflight().Counts);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The close began (the store is gone) or the count failed: the next look, if any, reports.
            return;
        }
        lock (gate)
        {
            if (stopped || status == last)
            {
                return;
            }
            last = status;
            notifications.Status(status);
        }
    }

    private static string Count(long count, string one, string many) => $"{count} {(count == 1 ? one : many)}";
}

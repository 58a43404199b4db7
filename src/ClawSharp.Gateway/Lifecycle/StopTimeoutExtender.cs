using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// Keeps systemd from killing a gateway in the middle of a stop's drain. systemd SIGKILLs a
/// service that has not exited within <c>TimeoutStopSec</c> of the SIGTERM, and a drain may
/// honestly run longer than that; so while the drain is still within its own budget and has
/// run past half of the stop timeout, this sends <c>EXTEND_TIMEOUT_USEC=</c> (half the stop
/// timeout) every quarter of it: the kill always stays at least a quarter of the timeout away.
/// It stops on <see cref="Dispose"/> (the drain ended) or once the drain overruns its budget,
/// so a drain that does not end is not sheltered for ever. Nothing runs without a stop
/// timeout (<c>CLAWSHARP_STOP_TIMEOUT_SEC</c> unset) or without a listener.
/// </summary>
internal sealed class StopTimeoutExtender : IDisposable
{
    private readonly TimeSpan extension;
    private readonly TimeSpan drainBudget;
    private readonly SystemdNotifications notifications;
    private readonly TimeProvider time;
    private readonly long started;
    private readonly Lock gate = new();
    private readonly ITimer? timer;
    private bool stopped;

    private StopTimeoutExtender(TimeSpan? stopTimeout, TimeSpan drainBudget, SystemdNotifications notifications, TimeProvider time)
    {
        this.drainBudget = drainBudget;
        this.notifications = notifications;
        this.time = time;
        started = time.GetTimestamp();
        if (stopTimeout is { } timeout && notifications.IsEnabled)
        {
            extension = timeout / 2;
            timer = time.CreateTimer(_ => Extend(), null, timeout / 2, timeout / 4);
        }
    }

    /// <param name="stopTimeout">systemd's stop timeout (<see cref="SystemdEnvironment.StopTimeout"/>); null: nothing to extend.</param>
    /// <param name="drainBudget">The drain's own budget, from now; <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="notifications">Where the extensions go.</param>
    /// <param name="time">The clock.</param>
    public static StopTimeoutExtender Start(TimeSpan? stopTimeout, TimeSpan drainBudget, SystemdNotifications notifications, TimeProvider time) =>
        new(stopTimeout, drainBudget, notifications, time);

    public void Dispose()
    {
        lock (gate)
        {
            stopped = true;
        }
        timer?.Dispose();
    }

    private void Extend()
    {
        lock (gate)
        {
            if (stopped)
            {
                return;
            }
            if (drainBudget != Timeout.InfiniteTimeSpan && time.GetElapsedTime(started) >= drainBudget)
            {
                stopped = true;
                timer?.Dispose();
                return;
            }
            notifications.ExtendTimeout(extension);
        }
    }
}

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// Fires once if a stop or restart overruns its budget. The run loop arms it when closing
/// starts and disposes it when closing ends; the callback (stability bundle, exit 1) runs
/// on a timer thread, so it works even when the loop itself is stuck.
/// </summary>
internal sealed class ShutdownWatchdog : IDisposable
{
    private readonly ITimer timer;
    private int fired;

    private ShutdownWatchdog(TimeProvider time, TimeSpan budget, Action onExpired)
    {
        timer = time.CreateTimer(_ =>
        {
            if (Interlocked.Exchange(ref fired, 1) == 0)
            {
                onExpired();
            }
        }, null, budget, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True once the budget ran out.</summary>
    public bool Fired => Volatile.Read(ref fired) == 1;

    /// <summary>Starts the countdown; <see cref="Timeout.InfiniteTimeSpan"/> never fires.</summary>
    public static ShutdownWatchdog Arm(TimeProvider time, TimeSpan budget, Action onExpired) => new(time, budget, onExpired);

    public void Dispose()
    {
        Interlocked.CompareExchange(ref fired, 2, 0);
        timer.Dispose();
    }
}

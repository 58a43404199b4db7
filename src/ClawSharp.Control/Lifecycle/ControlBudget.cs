namespace ClawSharp.Control.Lifecycle;

/// <summary>How long a client command may take: the one place its timeout is derived.</summary>
internal static class ControlBudget
{
    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>
    /// <paramref name="timeout"/> (else <paramref name="defaultTimeout"/>), plus <paramref name="drainCap"/>
    /// when the command asks the gateway to drain first (<c>restart --wait</c>): the gateway may
    /// spend the whole cap draining before its restart even begins. A zero or negative timeout,
    /// and a zero cap (drain indefinitely), mean no limit: <see cref="Timeout.InfiniteTimeSpan"/>.
    /// </summary>
    public static TimeSpan Of(TimeSpan? timeout, TimeSpan defaultTimeout, TimeSpan? drainCap = null)
    {
        var budget = timeout ?? defaultTimeout;
        if (budget <= TimeSpan.Zero || drainCap is { } zero && zero <= TimeSpan.Zero)
        {
            return Timeout.InfiniteTimeSpan;
        }
        if (drainCap is { } cap)
        {
            budget = cap >= Longest - budget ? Longest : budget + cap;
        }
        // CancelAfter takes at most int.MaxValue ms (24.8 days): longer is as good as no limit.
        return budget >= Longest ? Timeout.InfiniteTimeSpan : budget;
    }
}

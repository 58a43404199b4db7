namespace ClawSharp.Gateway.Configuration;

/// <summary>Budgets for stopping (config object <c>shutdown</c>).</summary>
internal sealed class ShutdownOptions
{
    /// <summary>
    /// How long closing the server may take before the watchdog writes a stability bundle and
    /// exits 1 (config <c>shutdown.timeoutMs</c>). Default 25 s.
    /// </summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// How long a stop waits for active runs, reply deliveries and tasks before it closes (and
    /// cuts what is left, which is queued again for the next start); new work is refused
    /// meanwhile (config <c>shutdown.drainTimeoutMs</c>). Default 10 s; <see cref="TimeSpan.Zero"/>
    /// cuts at once. A second SIGTERM or SIGINT cuts the drain short.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

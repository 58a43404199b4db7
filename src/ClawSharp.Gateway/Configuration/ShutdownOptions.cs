namespace ClawSharp.Gateway.Configuration;

/// <summary>Budgets for stopping (config object <c>shutdown</c>).</summary>
internal sealed class ShutdownOptions
{
    /// <summary>
    /// How long a stop may take before the watchdog writes a stability bundle and exits 1.
    /// Default 25 s: below a typical supervisor's 30 s stop budget.
    /// </summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(25);
}

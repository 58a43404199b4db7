using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Lifecycle;

/// <summary>What <c>gateway start</c> asks for.</summary>
/// <param name="State">The state directory.</param>
/// <param name="Overrides">The gateway settings passed through to <c>gateway run</c> (no secrets: command lines are world-readable).</param>
/// <param name="Timeout">How long to wait for the gateway to be ready; null = <c>daemon.startTimeoutMs</c> of the config (default 15 s).</param>
/// <param name="Force">
/// Stop a gateway no supervisor runs that holds the lock (answering or not) or the port first, as
/// <c>gateway run --force</c> does (<see cref="ForcedStart"/>); default false.
/// </param>
internal sealed record GatewayLaunch(StateDirectory State, ConfigOverrides Overrides, TimeSpan? Timeout, bool Force = false)
{
    /// <summary>Told every <see cref="ProgressInterval"/> while the start waits for readiness: "starting… (N s, …)". Null: nobody listens.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>How often <see cref="Progress"/> is told: 1 s.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);
}

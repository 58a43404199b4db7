using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Daemon;

/// <param name="State">The state directory the supervisor and its gateway share.</param>
/// <param name="GatewayArguments">The <c>gateway run …</c> arguments, without secrets.</param>
/// <param name="Overrides">The same overrides, to read the daemon settings as the gateway will.</param>
/// <param name="Time">The clock (backoff, timestamps).</param>
/// <param name="Listener">The listening socket a gateway handed down when it started this supervisor (<see cref="SupervisorAdoption"/>), if any.</param>
internal sealed record SupervisorSettings(
    StateDirectory State,
    IReadOnlyList<string> GatewayArguments,
    ConfigOverrides Overrides,
    TimeProvider Time,
    InheritedListener? Listener = null)
{
    /// <summary>The reason of the restart that started this supervisor (<see cref="SupervisorAdoption"/>), handed to its first gateway.</summary>
    public string? FirstRestartReason { get; init; }
}

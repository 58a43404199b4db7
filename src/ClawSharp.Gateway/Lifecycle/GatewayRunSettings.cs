using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>What <c>gateway run</c> hands the run loop besides the first configuration.</summary>
/// <param name="State">The state directory.</param>
/// <param name="Overrides">Command-line flags, re-applied on every config reload.</param>
/// <param name="Force">Stop a gateway that holds the lock or the port before the first start.</param>
/// <param name="Supervisor">Who supervises this process (from <c>CLAWSHARP_SUPERVISOR</c>).</param>
/// <param name="Faults">Test-only injected faults.</param>
/// <param name="Time">The clock.</param>
/// <param name="Spawned">Set when a gateway's fresh-PID respawn started this process (by whom, and the socket it hands over), or when a supervisor handed its listening socket down.</param>
/// <param name="Activation">The listening socket systemd passed (socket activation), if any.</param>
internal sealed record GatewayRunSettings(
    StateDirectory State,
    ConfigOverrides Overrides,
    bool Force,
    SupervisorKind Supervisor,
    GatewayFaults Faults,
    TimeProvider Time,
    SpawnOrigin? Spawned = null,
    SocketActivation? Activation = null);

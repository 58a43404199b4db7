using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Respawn;
using ClawSharp.Gateway.ServiceManagers;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>What every restart and stop sequence of one run loop works with.</summary>
/// <param name="Starter">Starts the next generation (in-process mode).</param>
/// <param name="Respawner">Hands over to a fresh process (spawn modes).</param>
/// <param name="Kickstarter">Hands over to launchd (launchd mode).</param>
/// <param name="Closer">Closes a generation under the watchdog.</param>
/// <param name="SelectMode">The restart mode for a restart with this reason (<see cref="RestartModeSelector"/> with the supervisor as it is now).</param>
/// <param name="State">The state directory (<c>restarting.json</c>).</param>
/// <param name="Bundles">Stability bundles.</param>
/// <param name="Time">The clock: cooldown, drain, watchdog.</param>
/// <param name="Logger">The lifecycle log.</param>
/// <param name="Notifications">What systemd is told (a no-op without <c>NOTIFY_SOCKET</c>).</param>
/// <param name="ServiceStopTimeout">The service manager's stop timeout (<c>CLAWSHARP_STOP_TIMEOUT_SEC</c>), null when unknown.</param>
internal sealed record RestartContext(
    IGenerationStarter Starter,
    IRespawner Respawner,
    ILaunchdKickstarter Kickstarter,
    GenerationCloser Closer,
    Func<string, (RestartMode Mode, string Supervisor)> SelectMode,
    StateDirectory State,
    StabilityBundleWriter Bundles,
    TimeProvider Time,
    ILogger Logger,
    SystemdNotifications Notifications,
    TimeSpan? ServiceStopTimeout);

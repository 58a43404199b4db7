using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Services;

/// <summary>What <c>gateway install</c> asks for.</summary>
/// <param name="State">The state directory of the gateway to install.</param>
/// <param name="Scope">User (default) or system service.</param>
/// <param name="Overrides"><c>--port</c> and <c>--bind</c>: written into the service's command line and socket.</param>
/// <param name="Force">Replace an existing definition.</param>
/// <param name="ReadyTimeout">How long to wait for the started service's gateway to be ready.</param>
internal sealed record ServiceInstallRequest(StateDirectory State, ServiceScope Scope, ConfigOverrides Overrides, bool Force, TimeSpan ReadyTimeout);

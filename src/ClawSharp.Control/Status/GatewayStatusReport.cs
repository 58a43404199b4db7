using ClawSharp.Daemon;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Protocol;
using ClawSharp.Gateway.Respawn;

namespace ClawSharp.Control.Status;

/// <summary>What <c>gateway status</c> shows: what was read, what the gateway said, and the verdict.</summary>
/// <param name="State">The state directory.</param>
/// <param name="Snapshot">daemon.json, the lock and restarting.json, every PID verified.</param>
/// <param name="Gateway">The gateway's <c>status</c> answer, when it gave one.</param>
/// <param name="Verdict">What <see cref="GatewayStatusDecision"/> concluded.</param>
/// <param name="UpdateFailure">The last update restart that fell back in process (update-failed.json), if any.</param>
/// <param name="Service">The installed service (systemd, launchd, Windows) and its manager's view, when one is installed.</param>
/// <param name="GatewayBinary">The running gateway's binary (version, commit, build date, path), when a gateway holds the lock.</param>
/// <param name="CliBinary">This CLI's binary; null only in reports built by hand.</param>
internal sealed record GatewayStatusReport(StateDirectory State, DaemonSnapshot Snapshot, StatusPayload? Gateway, GatewayStatusVerdict Verdict, UpdateFailure? UpdateFailure,
    Services.ServiceStatus? Service = null, BinaryIdentity? GatewayBinary = null, BinaryIdentity? CliBinary = null)
{
    /// <summary>"the running gateway is 0.2.0 (...), this CLI is 0.3.0 (...)", or null when they are the same build.</summary>
    public string? VersionDrift => CliBinary is { } cli ? BinaryIdentity.Drift(GatewayBinary, cli) : null;
}

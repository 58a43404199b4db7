using ClawSharp.Control.Lifecycle;
using ClawSharp.Daemon;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.Managers;

/// <summary>
/// The seam for who manages the gateway: the built-in supervisor today; systemd, launchd and
/// Windows services plug in here (and in <see cref="GatewayManagers"/>) without touching the
/// commands. A manager knows how to start its gateway, which process a stop goes to, how to end
/// what is left of a stop that overran, and how to start a gateway that is down now.
/// </summary>
internal interface IGatewayManager
{
    GatewayManagerKind Kind { get; }

    /// <summary>Starts the gateway under this manager and waits until it is ready (lock + <c>/readyz</c>) or has failed.</summary>
    /// <param name="launch">The state directory, the gateway settings and the wait.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    Task<StartResult> StartAsync(GatewayLaunch launch, CancellationToken cancellationToken);

    /// <summary>The process a stop request (SIGTERM) goes to first, so that nothing starts the gateway again; null when nothing runs.</summary>
    ProcessIdentity? StopOwner(DaemonSnapshot snapshot);

    /// <summary>How a stop names what it stops: <c>pid 12</c>, <c>supervisor pid 11</c>, <c>pid 12, supervisor pid 11</c>.</summary>
    string Describe(DaemonSnapshot snapshot, ProcessIdentity owner, ProcessIdentity? gateway);

    /// <summary>SIGKILLs <paramref name="targets"/> still alive after a stop overran, with their process groups where those are provably this manager's.</summary>
    void Kill(DaemonSnapshot snapshot, ProcessIdentity? gateway, IReadOnlyCollection<ProcessIdentity> targets);

    /// <summary>Asks the manager to start a gateway that is down now (a backoff cut short); false when it has none to start.</summary>
    bool Wake(DaemonSnapshot snapshot);
}

using ClawSharp.Daemon;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClawSharp.Control.Lifecycle;

/// <summary>
/// <c>gateway start --force</c>: clears the way as <c>gateway run --force</c> does, before the
/// supervisor is launched (so that its child never runs with <c>--force</c>, and a crash-restart
/// never stops a gateway started meanwhile). Order: the lock's owner, then clawsharp processes on
/// the port; only verified clawsharp gateways are signalled (<see cref="StaleGatewayTerminator"/>:
/// SIGTERM and SIGCONT, so a stopped one goes too, SIGKILL after the grace).
/// </summary>
internal static class ForcedStart
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    /// <summary>Null once nothing stands in the way, else why the start cannot go ahead.</summary>
    /// <param name="snapshot">The state directory as read just before; a supervisor in it refuses the force.</param>
    /// <param name="port">The configured port; 0 = any free port (nothing to free).</param>
    /// <param name="lockFile">gateway.lock: its owner is signalled only while it holds it.</param>
    public static async Task<string?> ClearAsync(DaemonSnapshot snapshot, int port, string lockFile)
    {
        if (snapshot.Supervisor is { } supervisor)
        {
            // Stopping its child would only make it start another: the supervisor is the owner to stop.
            return $"--force does not replace a supervised gateway (supervisor pid {supervisor.Pid}); 'clawsharp gateway stop' stops it and its supervisor";
        }
        if (snapshot.UnknownSupervisorAlive)
        {
            return "--force does not replace a supervised gateway (a supervisor holds supervisor.lock); 'clawsharp gateway stop' stops it";
        }
        var terminator = new StaleGatewayTerminator(NullLogger.Instance, Grace);
        if (snapshot.ForeignLockOwner is { } impostor)
        {
            return $"--force: {impostor}";
        }
        if (snapshot.Gateway is { } owner && !await terminator.TerminateLockOwnerAsync(owner, lockFile).ConfigureAwait(false))
        {
            return $"--force: pid {owner.Pid}, which holds the lock, did not exit";
        }
        if (port != 0 && PortOwners.Find(port).Count > 0 && await terminator.FreePortAsync(port).ConfigureAwait(false) is { } problem)
        {
            return $"--force: {problem}";
        }
        return null;
    }
}

using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Daemon;

/// <summary>
/// A supervisor started by a gateway rather than by <c>gateway start</c>: a daemon's gateway
/// whose built-in supervisor died (killed, OOM) restarts by starting a new one
/// (<c>FreshProcessSpawner</c>), so that a later crash is restarted again. That gateway hands its
/// listening socket down as a fresh-PID respawn does (<see cref="SpawnOrigin"/>'s variables), and
/// the supervisor passes it on to the gateway it starts: no connection is refused on the way.
/// </summary>
internal static class SupervisorAdoption
{
    /// <summary>
    /// Reads and clears the hand-over variables (the supervisor's gateways get their own), before
    /// <see cref="ProcessDetach.Detach"/>, which points inherited descriptors at /dev/null: the
    /// socket is marked close-on-exec instead, so only the copy handed to each gateway is inherited.
    /// </summary>
    /// <returns>The socket, and the reason of the restart that started this supervisor (its first gateway counts it).</returns>
    public static (InheritedListener? Listener, string? RestartReason) Take()
    {
        var origin = SpawnOrigin.TakeFromProcessEnvironment();
        if (origin?.Listener is not { } listener || !Posix.IsOpen(listener.Descriptor))
        {
            return (null, origin?.RestartReason);
        }
        Posix.SetCloseOnExec(listener.Descriptor);
        return (listener, origin.RestartReason);
    }
}

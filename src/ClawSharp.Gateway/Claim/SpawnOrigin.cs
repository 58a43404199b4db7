using System.Globalization;
using System.Net;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Claim;

/// <summary>A listening socket handed down by the gateway that spawned this one: its descriptor number and what it should be bound to.</summary>
/// <param name="Descriptor">The inherited descriptor (not close-on-exec).</param>
/// <param name="Endpoint">The endpoint the parent said it is bound to.</param>
internal sealed record InheritedListener(int Descriptor, IPEndPoint Endpoint);

/// <summary>
/// What a gateway started by a fresh-PID respawn (<see cref="FreshProcessSpawner"/>) learns
/// from its environment: who spawned it and which listening socket it inherits. The variables
/// are read once and removed from the environment, so this gateway's own children (exec agents,
/// a later respawn) never see them; a later respawn sets its own.
/// </summary>
/// <param name="ParentPid">The gateway that spawned this one (or the supervisor that handed the socket down).</param>
/// <param name="Listener">The inherited listening socket, when the parent handed one over.</param>
/// <param name="Respawned">True for a fresh-PID respawn of a gateway; false when only a
/// supervisor handed its listening socket down (the built-in supervisor holds the port across
/// the gateway processes it starts, so a supervised restart refuses no connection either).</param>
/// <param name="RestartReason">Why the parent restarted (its plan's reason), for the restart the copy counts in its metrics; also
/// set by a supervisor for the gateway it starts after the previous one's exit 75 (a supervised restart).</param>
internal sealed record SpawnOrigin(int ParentPid, InheritedListener? Listener, bool Respawned = true, string? RestartReason = null)
{
    /// <summary>The reason of the restart a fresh-PID respawn carries out (set by the parent around the spawn).</summary>
    public const string RestartReasonVariable = "CLAWSHARP_RESTART_REASON";

    /// <summary>Marker: the PID of the gateway that spawned this process.</summary>
    public const string SpawnedByVariable = "CLAWSHARP_SPAWNED_BY";

    /// <summary>The number of the inherited listening descriptor.</summary>
    public const string ListenFdVariable = "CLAWSHARP_LISTEN_FD";

    /// <summary>The endpoint (<c>address:port</c>) the inherited descriptor is bound to.</summary>
    public const string ListenEndpointVariable = "CLAWSHARP_LISTEN_ENDPOINT";

    /// <summary>
    /// Reads and clears the variables. Null when this process was not spawned by a gateway.
    /// The descriptor is only named here; <see cref="ListenSocket.TryAdopt"/> checks that it
    /// really is a listening socket on the named endpoint before using it. (The parent's PID is
    /// not required to match ours: a parent killed while we start leaves us orphaned, and we
    /// must still take, or close, the socket we hold.)
    /// </summary>
    public static SpawnOrigin? TakeFromEnvironment(Func<string, string?> getEnvironment, Action<string> clearEnvironment)
    {
        var spawnedBy = getEnvironment(SpawnedByVariable);
        var fd = getEnvironment(ListenFdVariable);
        var endpoint = getEnvironment(ListenEndpointVariable);
        var reason = getEnvironment(RestartReasonVariable);
        clearEnvironment(RestartReasonVariable);
        clearEnvironment(SpawnedByVariable);
        clearEnvironment(ListenFdVariable);
        clearEnvironment(ListenEndpointVariable);
        InheritedListener? listener = null;
        if (int.TryParse(fd, NumberStyles.None, CultureInfo.InvariantCulture, out var descriptor) && descriptor > 2
            && IPEndPoint.TryParse(endpoint ?? "", out var bound))
        {
            listener = new InheritedListener(descriptor, bound);
        }
        if (int.TryParse(spawnedBy, NumberStyles.None, CultureInfo.InvariantCulture, out var parent) && parent > 0)
        {
            return new SpawnOrigin(parent, listener, RestartReason: string.IsNullOrEmpty(reason) ? null : reason);
        }
        // No respawn marker: a socket handed down by the supervisor that started this process, and the reason of the
        // restart it carries out when it starts this process after its previous gateway's exit 75. Either may come
        // alone: a supervisor that could not bind the port hands no socket down, and the restart still counts.
        return listener is null && string.IsNullOrEmpty(reason) ? null
            : new SpawnOrigin(Posix.ParentPid(), listener, Respawned: false, RestartReason: string.IsNullOrEmpty(reason) ? null : reason);
    }

    /// <summary>Reads the real process environment (and clears it).</summary>
    public static SpawnOrigin? TakeFromProcessEnvironment() =>
        OperatingSystem.IsWindows()
            ? null
            : TakeFromEnvironment(Environment.GetEnvironmentVariable, name => Environment.SetEnvironmentVariable(name, null));

    /// <summary>
    /// Detaches from the parent: a new session (a Ctrl+C or hangup aimed at the parent's
    /// terminal must not reach the gateway that replaces it) and stdin on /dev/null.
    /// stdout and stderr stay inherited, so the output goes where the parent's went.
    /// </summary>
    public static void Detach()
    {
        _ = Posix.CreateSession();
        Posix.RedirectStdinToDevNull();
    }
}

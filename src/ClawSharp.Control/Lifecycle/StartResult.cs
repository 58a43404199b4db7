using ClawSharp.Gateway;

namespace ClawSharp.Control.Lifecycle;

/// <summary>What to suggest after a failed start.</summary>
internal enum StartFollowUp
{
    /// <summary>Nothing to add.</summary>
    None,

    /// <summary>The supervisor still runs and keeps trying: status follows it, stop ends it.</summary>
    StillSupervised,

    /// <summary>The logs (gateway and supervisor) say more.</summary>
    ReadLogs,
}

/// <summary>The outcome of <see cref="GatewayControl.StartAsync"/>.</summary>
internal abstract record StartResult
{
    private StartResult()
    {
    }

    /// <summary>The gateway is ready (the lock names it, <c>/readyz</c> answered 200).</summary>
    public sealed record Started(int GatewayPid, int SupervisorPid, int Port, TimeSpan Elapsed) : StartResult
    {
        /// <summary>The installed service manager that runs it (<c>systemd</c>, …); null under the built-in supervisor.</summary>
        public string? ManagedBy { get; init; }

        /// <summary>
        /// Set when the start found a daemon's gateway serving without its supervisor (killed, OOM) and
        /// restarted it under a new one, which replaced it (<see cref="GatewayStarter"/>): its PID and the dead supervisor's.
        /// </summary>
        public (int GatewayPid, int? SupervisorPid)? ReplacedOrphan { get; init; }
    }

    /// <summary>
    /// A gateway serving without its supervisor was asked to restart under a new one, and that goes
    /// on after this command: asked from inside its own work, or still draining it at the timeout.
    /// </summary>
    public sealed record Pending(string Message, ExitCode Code) : StartResult;

    /// <summary>A gateway (or a supervisor) already runs for this state directory; <paramref name="Pid"/> is the gateway's, when known.</summary>
    public sealed record AlreadyRunning(string Message, int? Pid) : StartResult;

    /// <summary>
    /// The lock's owner (<paramref name="Pid"/>) does not answer <c>/readyz</c>: stopped (SIGSTOP) or
    /// wedged. <paramref name="Message"/> is what a duplicate <c>gateway run</c> says; exit 1.
    /// </summary>
    public sealed record OwnerUnresponsive(string Message, int Pid) : StartResult;

    /// <summary>
    /// Not ready within the timeout, but nothing went wrong: the supervisor lives, the gateway has
    /// not crashed and is still starting (a slow disk, a big store). It goes on in the background.
    /// </summary>
    public sealed record StillStarting(int SupervisorPid, int? GatewayPid, TimeSpan Waited) : StartResult;

    /// <summary>Not started. <paramref name="LogLines"/> are this start's gateway's last log lines (none when no gateway ran).</summary>
    public sealed record Failed(string Message, ExitCode Code, IReadOnlyList<string> LogLines, StartFollowUp FollowUp) : StartResult;
}

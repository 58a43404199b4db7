using System.Globalization;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Protocol;

namespace ClawSharp.Control.Status;

/// <summary>
/// Decides what <c>gateway status</c> says from what was read (the verified
/// <see cref="DaemonSnapshot"/>) and what the gateway answered, if it was asked. Pure: no file,
/// process or socket is touched here, and the time is given.
/// </summary>
internal static class GatewayStatusDecision
{
    /// <summary>Order: a gateway that owns the lock; a restart in flight; a live supervisor; a refused start newer than daemon.json; what daemon.json last said.</summary>
    /// <param name="snapshot">The state directory, every PID verified.</param>
    /// <param name="answer">The gateway's <c>status</c> answer; null when it was not asked or did not answer.</param>
    /// <param name="now">The current time (uptime, backoff countdown).</param>
    public static GatewayStatusVerdict Decide(DaemonSnapshot snapshot, StatusPayload? answer, DateTimeOffset now)
    {
        var daemon = snapshot.Daemon;
        var supervised = snapshot.Supervisor is not null;
        if (snapshot.Gateway is { } owner)
        {
            var port = PortOf(owner, answer);
            if (answer is not null)
            {
                var uptime = TimeSpan.FromMilliseconds(answer.UptimeMs);
                return new(GatewayStatusKind.Running,
                    $"Running: pid {owner.Pid}, port {port}, version {answer.Version}, " +
                    $"started {Local(now - uptime)} (up {Uptime(uptime)}), state {answer.State}",
                    ExitCode.Success, port);
            }
            if (supervised && daemon!.State == DaemonPhase.Starting)
            {
                return new(GatewayStatusKind.Starting, $"Starting: pid {owner.Pid} does not answer yet on port {owner.Port}", ExitCode.NotRunning, port);
            }
            return new(GatewayStatusKind.Unreachable,
                $"Unreachable: pid {owner.Pid} is alive but does not answer on port {owner.Port} (see 'clawsharp gateway logs')", ExitCode.Failure, port);
        }
        if (snapshot.Restarting is { Problem: { } problem } failedRestart)
        {
            return new(GatewayStatusKind.Failed,
                $"Failed: pid {failedRestart.Pid} is alive but its restart did not start a server ({problem}); fix it, then 'kill -USR1 {failedRestart.Pid}' or 'clawsharp gateway stop'",
                ExitCode.Failure, null);
        }
        if (snapshot.Restarting is { } restarting)
        {
            return new(GatewayStatusKind.Starting, $"Restarting: pid {restarting.Pid} closed its server and is starting again (in process or as a fresh process)",
                ExitCode.NotRunning, null);
        }
        if (supervised)
        {
            return daemon!.State switch
            {
                DaemonPhase.Backoff => new(GatewayStatusKind.Backoff,
                    $"Backoff: the gateway crashed ({daemon.LastExit?.Description ?? "unknown exit"}); the supervisor starts it again {When(daemon.NextStartAt, now)}",
                    ExitCode.NotRunning, null),
                _ => new(GatewayStatusKind.Starting,
                    snapshot.StartingGateway is { } child ? $"Starting: gateway pid {child.Pid} is not ready yet" : "Starting: the supervisor is starting the gateway",
                    ExitCode.NotRunning, null),
            };
        }
        if (snapshot.StartFailure is { } refused)
        {
            return new(GatewayStatusKind.Failed,
                $"Failed: {refused.Summary}; 'clawsharp gateway start' refused at {Local(refused.At)} (exit {refused.ExitCode}); fix it, then start again",
                ExitCode.Failure, null);
        }
        if (daemon is { State: DaemonPhase.Failed })
        {
            return new(GatewayStatusKind.Failed, $"Failed: {daemon.FailureReason}", ExitCode.Failure, null);
        }
        if (snapshot is { UnreadableLockHeld: true, ForeignLockOwner: { } foreign })
        {
            return new(GatewayStatusKind.Unreachable, $"Unreachable: {foreign}", ExitCode.Failure, null);
        }
        if (snapshot.UnknownSupervisorAlive)
        {
            return new(GatewayStatusKind.Starting, "Unknown: a supervisor holds supervisor.lock but daemon.json is unreadable", ExitCode.NotRunning, null);
        }
        var why = daemon is { State: DaemonPhase.Stopped, LastExit: { } last } ? $"stopped at {Local(last.At)}"
            : snapshot.Problems.Count > 0 ? snapshot.Problems[0]
            : "no gateway holds the lock";
        return new(GatewayStatusKind.Stopped, $"Stopped ({why})", ExitCode.NotRunning, null);
    }

    /// <summary>A time as status prints it: local, to the second.</summary>
    public static string Local(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A duration as status prints it: <c>hh:mm:ss</c>, with days past one.</summary>
    public static string Uptime(TimeSpan span) => span.ToString(span.TotalDays >= 1 ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss", CultureInfo.InvariantCulture);

    /// <summary>
    /// The port the gateway says it serves; the lock's record only when it did not answer. The
    /// lock names the configured port (0 for "any") until the socket is bound, so a status
    /// taken at that moment would otherwise print 0.
    /// </summary>
    private static int PortOf(LockOwner owner, StatusPayload? answer) => answer is { Port: > 0 } served ? served.Port : owner.Port;

    private static string When(DateTimeOffset? at, DateTimeOffset now) =>
        at is { } due && due > now ? $"in {(due - now).TotalSeconds:0.#} s" : "now";
}

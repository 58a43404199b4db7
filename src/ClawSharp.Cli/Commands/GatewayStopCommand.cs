using System.CommandLine;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Restart;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway stop</c>: asks the owner to stop. Under the built-in supervisor that is
/// the supervisor (SIGTERM; it stops the gateway gracefully and exits); otherwise the gateway the
/// lock names. Only verified PIDs are signalled (a dead or reused PID never is); SIGKILL after
/// <c>--timeout</c>, said out loud; the daemon state is left saying stopped.
/// </summary>
internal static class GatewayStopCommand
{
    private static readonly Option<TimeSpan?> Timeout = CliOptions.Duration("--timeout", "How long to wait for a graceful stop before SIGKILL (default 30s)");
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(2);
    private static readonly Option<bool> Json = new("--json") { Description = "Print the result as JSON alone on stdout" };

    public static Command Build()
    {
        var command = new Command("stop", "Stop the gateway (and its supervisor) gracefully, escalating to SIGKILL after --timeout.") { Timeout, Json };
        command.SetAction((parse, ct) => StopAsync(parse, ct));
        return command;
    }

    private static async Task<int> StopAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        return await StopRoundAsync(state, parse.GetValue(Json), parse.GetValue(Timeout) ?? TimeSpan.FromSeconds(30), new Rounds(1, [], []), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// One round: signal the owner, wait, escalate. A gateway that took over meanwhile (a fresh
    /// copy that became ready just as its parent stopped) gets a round of its own.
    /// </summary>
    private static async Task<int> StopRoundAsync(StateDirectory state, bool json, TimeSpan timeout, Rounds rounds, CancellationToken cancellationToken)
    {
        var round = rounds.Number;
        var snapshot = DaemonSnapshot.Take(state);
        var warnings = rounds.Warnings.Concat(snapshot.Problems).Distinct().ToList();
        // The first signal goes to the owner: the supervisor when there is one, so it does not start the gateway again.
        // A restarting gateway is the owner while its restart lasts: it would come back (or hand over) if left alone.
        var owner = snapshot.Supervisor ?? snapshot.RestartingProcess ?? (snapshot.Gateway is { } g ? new ProcessIdentity(g.Pid, g.StartTime) : snapshot.StartingGateway);
        if (owner is null)
        {
            DaemonCleanup.MarkStopped(state, "found not running by 'gateway stop'", TimeProvider.System);
            return round == 1
                ? Report(json, "not-running", "gateway is not running", warnings)
                : Report(json, "stopped", $"gateway stopped ({string.Join("; then ", rounds.Stopped)})", warnings);
        }
        var gateway = snapshot.Gateway is { } lockOwner ? new ProcessIdentity(lockOwner.Pid, lockOwner.StartTime) : snapshot.StartingGateway;
        var targets = new[] { owner, gateway, snapshot.StartingGateway }.OfType<ProcessIdentity>().Distinct().ToList();
        var what = Describe(snapshot, owner, gateway);
        var stopped = rounds.Stopped.Append(what).ToList();
        // A leftover restart intent would turn this SIGTERM into a restart.
        File.Delete(RestartIntentStore.PathOf(state));
        Posix.Kill(owner.Pid, Posix.SIGTERM);
        if (await ProcessIdentity.WaitForExitAsync(targets, timeout, TimeProvider.System, cancellationToken).ConfigureAwait(false))
        {
            return await SucceededAsync(state, json, timeout, rounds with { Warnings = warnings, Stopped = stopped }, targets,
                "stopped by 'gateway stop'", $"gateway stopped ({string.Join("; then ", stopped)})", cancellationToken).ConfigureAwait(false);
        }
        Console.Error.WriteLine($"warning: {what} did not stop within {timeout.TotalSeconds:0.###} s; sending SIGKILL");
        // Groups are checked while their leaders still live: a group is ours only when the supervisor
        // leads its own session (setsid) and the gateway, its recorded child, leads a group in it.
        var supervisorSession = snapshot.Supervisor is { } s && ProcessGroups.Of(s.Pid) is { } sm && sm.GroupId == s.Pid && sm.SessionId == s.Pid
            ? s.Pid : (int?)null;
        var gatewayGroup = supervisorSession is { } session && gateway is { } gw && snapshot.Daemon?.GatewayPid == gw.Pid
            && ProcessGroups.Of(gw.Pid) is { } gm && gm.GroupId == gw.Pid && gm.SessionId == session ? gw.Pid : (int?)null;
        foreach (var target in targets.Where(t => ProcessIdentity.Check(t.Pid, t.StartTime) == ProcessMatch.Same))
        {
            Posix.Kill(target.Pid == supervisorSession ? -target.Pid : target.Pid, Posix.SIGKILL);
        }
        if (gatewayGroup is { } group)
        {
            // The gateway's exec agents and tasks go with it.
            ProcessGroups.KillIfInSession(group, supervisorSession!.Value);
        }
        if (!await ProcessIdentity.WaitForExitAsync(targets, TimeSpan.FromSeconds(10), TimeProvider.System, cancellationToken).ConfigureAwait(false))
        {
            return CliOutput.Fail(ExitCode.Failure, $"{what} survived SIGKILL");
        }
        return await SucceededAsync(state, json, timeout, rounds with { Warnings = warnings, Stopped = stopped }, targets,
            $"killed by 'gateway stop' after the {timeout.TotalSeconds:0.###} s timeout",
            $"gateway killed ({string.Join("; then ", stopped)}) after the {timeout.TotalSeconds:0.###} s timeout", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The round's targets are gone: done, unless a gateway took over meanwhile (another round, up to the last).</summary>
    private static async Task<int> SucceededAsync(StateDirectory state, bool json, TimeSpan timeout, Rounds rounds, List<ProcessIdentity> targets,
        string why, string message, CancellationToken cancellationToken)
    {
        const int MaxRounds = 3;
        if (DaemonSnapshot.Take(state).GatewayPid is { } successor && targets.All(t => t.Pid != successor))
        {
            if (rounds.Number < MaxRounds)
            {
                return await StopRoundAsync(state, json, timeout, rounds with { Number = rounds.Number + 1 }, cancellationToken).ConfigureAwait(false);
            }
            return CliOutput.Fail(ExitCode.Failure,
                $"{message}, but pid {successor} took over each time ({MaxRounds} rounds); is another manager (systemd, a second 'gateway start') restarting it?");
        }
        DaemonCleanup.MarkStopped(state, why, TimeProvider.System, LockWait);
        return Report(json, "stopped", message, rounds.Warnings);
    }

    /// <summary>What the rounds of one stop have done so far.</summary>
    private sealed record Rounds(int Number, IReadOnlyList<string> Warnings, IReadOnlyList<string> Stopped);

    private static string Describe(DaemonSnapshot snapshot, ProcessIdentity owner, ProcessIdentity? gateway) =>
        snapshot.Supervisor is null ? $"pid {owner.Pid}"
        : gateway is null ? $"supervisor pid {owner.Pid}"
        : $"pid {gateway.Pid}, supervisor pid {owner.Pid}";

    private static int Report(bool json, string result, string message, IReadOnlyList<string> warnings) =>
        new LifecycleReport("stop", true, result, message) { Warnings = warnings }.Print(json, ExitCode.Success);
}

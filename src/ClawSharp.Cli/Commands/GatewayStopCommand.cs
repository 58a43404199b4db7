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
        return await StopRoundAsync(state, parse.GetValue(Json), parse.GetValue(Timeout) ?? TimeSpan.FromSeconds(30), round: 1, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// One round: signal the owner, wait, escalate. A gateway that took over meanwhile (a fresh
    /// copy that became ready just as its parent stopped) gets a round of its own.
    /// </summary>
    private static async Task<int> StopRoundAsync(StateDirectory state, bool json, TimeSpan timeout, int round, CancellationToken cancellationToken)
    {
        const int MaxRounds = 3;
        var snapshot = DaemonSnapshot.Take(state);
        var warnings = snapshot.Problems.ToList();
        // The first signal goes to the owner: the supervisor when there is one, so it does not start the gateway again.
        // A restarting gateway is the owner while its restart lasts: it would come back (or hand over) if left alone.
        var owner = snapshot.Supervisor ?? snapshot.RestartingProcess ?? (snapshot.Gateway is { } g ? new ProcessIdentity(g.Pid, g.StartTime) : snapshot.StartingGateway);
        if (owner is null)
        {
            DaemonCleanup.MarkStopped(state, "found not running by 'gateway stop'", TimeProvider.System);
            return round == 1 ? Report(json, "not-running", "gateway is not running", warnings) : Report(json, "stopped", "gateway stopped", warnings);
        }
        var gateway = snapshot.Gateway is { } lockOwner ? new ProcessIdentity(lockOwner.Pid, lockOwner.StartTime) : snapshot.StartingGateway;
        var targets = new[] { owner, gateway, snapshot.StartingGateway }.OfType<ProcessIdentity>().Distinct().ToList();
        var what = Describe(snapshot, owner, gateway);
        // A leftover restart intent would turn this SIGTERM into a restart.
        File.Delete(RestartIntentStore.PathOf(state));
        Posix.Kill(owner.Pid, Posix.SIGTERM);
        if (await AllExitedAsync(targets, timeout, cancellationToken).ConfigureAwait(false))
        {
            if (round < MaxRounds && DaemonSnapshot.Take(state).GatewayPid is { } successor && targets.All(t => t.Pid != successor))
            {
                return await StopRoundAsync(state, json, timeout, round + 1, cancellationToken).ConfigureAwait(false);
            }
            DaemonCleanup.MarkStopped(state, "stopped by 'gateway stop'", TimeProvider.System, LockWait);
            return Report(json, "stopped", $"gateway stopped ({what})", warnings);
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
        if (!await AllExitedAsync(targets, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false))
        {
            return CliOutput.Fail(ExitCode.Failure, $"{what} survived SIGKILL");
        }
        DaemonCleanup.MarkStopped(state, $"killed by 'gateway stop' after the {timeout.TotalSeconds:0.###} s timeout", TimeProvider.System, LockWait);
        return Report(json, "stopped", $"gateway killed ({what}) after the {timeout.TotalSeconds:0.###} s timeout", warnings);
    }

    private static string Describe(DaemonSnapshot snapshot, ProcessIdentity owner, ProcessIdentity? gateway) =>
        snapshot.Supervisor is null ? $"pid {owner.Pid}"
        : gateway is null ? $"supervisor pid {owner.Pid}"
        : $"pid {gateway.Pid}, supervisor pid {owner.Pid}";

    private static async Task<bool> AllExitedAsync(List<ProcessIdentity> targets, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (targets.Any(t => ProcessIdentity.Check(t.Pid, t.StartTime) == ProcessMatch.Same))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    private static int Report(bool json, string result, string message, IReadOnlyList<string> warnings) =>
        new LifecycleReport("stop", true, result, message) { Warnings = warnings }.Print(json, ExitCode.Success);
}

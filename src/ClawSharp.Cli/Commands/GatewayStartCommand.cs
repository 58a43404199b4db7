using System.CommandLine;
using ClawSharp.Cli.Options;
using ClawSharp.Control;
using ClawSharp.Control.Lifecycle;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway start</c>: starts the gateway under its manager (the built-in supervisor,
/// detached from the terminal); returns once the gateway answers <c>/readyz</c> (exit 0), or fails with the
/// reason and the last log lines (exit 1, 78 for a bad config). Past the timeout with the gateway alive and
/// not crashed, it says so and exits 3 (still starting, as <c>status</c> says); progress lines go to stderr.
/// </summary>
internal static class GatewayStartCommand
{
    private static readonly DaemonLaunchOptions Launch = new();
    private static readonly Option<TimeSpan?> Timeout = CliOptions.Duration("--timeout", "How long to wait for the gateway to be ready (default daemon.startTimeoutMs, 15s)");
    private static readonly Option<bool> Json = new("--json") { Description = "Print the result as JSON alone on stdout" };

    private static readonly Option<bool> Force = new("--force")
    {
        Description = "Stop a stale gateway (one that does not answer, too) that holds this state directory or the port, then start; never a supervised one or another program",
    };

    public static Command Build()
    {
        var command = new Command("start", "Start the gateway in the background under the built-in supervisor (restarts it after a crash).")
        {
            Timeout, Json, Force,
        };
        Launch.AddTo(command);
        command.SetAction((parse, ct) => StartAsync(parse, ct));
        return command;
    }

    private static async Task<int> StartAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        // Progress goes to stderr, never into the --json answer on stdout.
        var launch = new GatewayLaunch(state, Launch.Overrides(parse), parse.GetValue(Timeout), parse.GetValue(Force)) { Progress = line => Console.Error.WriteLine(line) };
        var configWarnings = ConfigWarnings(state, launch.Overrides);
        var result = await GatewayControl.StartAsync(launch, cancellationToken).ConfigureAwait(false);
        var next = GlobalOptions.Repeat(parse);
        var (report, code) = result switch
        {
            StartResult.Started ready => (new LifecycleReport("start", true, ready.ReplacedOrphan is null ? "started" : "supervised-again",
                (ready.ReplacedOrphan is { } orphan
                    ? $"{DaemonSnapshot.UnsupervisedMessage(orphan.GatewayPid, orphan.SupervisorPid)}; restarted it under a new one, refusing no connection: "
                    : "gateway started: ") +
                $"pid {ready.GatewayPid}, port {ready.Port} ({(ready.ManagedBy is { } manager ? $"managed by {manager}" : $"supervisor pid {ready.SupervisorPid}")}); ready in {ready.Elapsed.TotalMilliseconds:F0} ms")
            {
                Details = [$"log: {state.LogFile}", $"next: clawsharp gateway status{next} | clawsharp gateway logs -f{next} | clawsharp gateway stop{next}"],
                Fields = new Dictionary<string, object?>
                {
                    ["pid"] = ready.GatewayPid,
                    ["supervisorPid"] = ready.ManagedBy is null ? ready.SupervisorPid : null,
                    ["manager"] = ready.ManagedBy ?? "builtin",
                    ["port"] = ready.Port,
                    ["logFile"] = state.LogFile,
                    ["stateDir"] = state.Root,
                    ["previousPid"] = ready.ReplacedOrphan?.GatewayPid,
                    ["lostSupervisorPid"] = ready.ReplacedOrphan?.SupervisorPid,
                },
            }, ExitCode.Success),
            StartResult.StillStarting slow => (new LifecycleReport("start", true, "starting",
                $"gateway still starting after {slow.Waited.TotalSeconds:0.#} s (supervisor pid {slow.SupervisorPid}" +
                (slow.GatewayPid is { } child ? $", gateway pid {child})" : ")") + "; not failed: it goes on in the background")
            {
                Hints = [$"follow it: 'clawsharp gateway status{next}' (exit 0 once running) or 'clawsharp gateway logs -f{next}'; 'clawsharp gateway stop{next}' ends it"],
                Fields = new Dictionary<string, object?>
                {
                    ["pid"] = slow.GatewayPid,
                    ["supervisorPid"] = slow.SupervisorPid,
                    ["logFile"] = state.LogFile,
                    ["stateDir"] = state.Root,
                },
            }, ExitCode.NotRunning),
            StartResult.Pending pending => (new LifecycleReport("start", true, "restarting", pending.Message)
            {
                Hints = [$"'clawsharp gateway status{next}' follows it"],
            }, pending.Code),
            StartResult.AlreadyRunning running => (new LifecycleReport("start", false, null, running.Message)
            {
                Hints = [$"'clawsharp gateway status{next}' shows it; 'clawsharp gateway restart{next}' restarts it"],
                Fields = new Dictionary<string, object?> { ["pid"] = running.Pid },
            }, ExitCode.Failure),
            StartResult.OwnerUnresponsive wedged => (new LifecycleReport("start", false, null, wedged.Message)
            {
                Fields = new Dictionary<string, object?> { ["pid"] = wedged.Pid },
            }, ExitCode.Failure),
            StartResult.Failed failed => (new LifecycleReport("start", false, null, failed.Message)
            {
                Details = failed.LogLines.Count == 0 ? [] : ["last log lines:", .. failed.LogLines.Select(l => "  " + l)],
                Hints = failed.FollowUp switch
                {
                    StartFollowUp.StillSupervised => [$"it is still supervised; 'clawsharp gateway status{next}' follows it, 'clawsharp gateway stop{next}' ends it"],
                    StartFollowUp.ReadLogs => [$"'clawsharp gateway logs{next}' and {state.SupervisorLogFile} say more"],
                    _ => [],
                },
                Fields = new Dictionary<string, object?> { ["lastLogLines"] = failed.LogLines.Count == 0 ? null : failed.LogLines },
            }, failed.Code),
            _ => throw new InvalidOperationException($"unexpected start result {result}"),
        };
        // What the config loader warned of (an unknown key: a typo is ignored, not applied) is said here too, not only in the log.
        return (report with { Warnings = [.. report.Warnings, .. configWarnings] }).Print(parse.GetValue(Json), code);
    }

    /// <summary>The config loader's warnings for this start; none when the config does not load (the start says why).</summary>
    private static IReadOnlyList<string> ConfigWarnings(StateDirectory state, ConfigOverrides overrides)
    {
        try
        {
            return ConfigLoader.Load(state, overrides).Warnings;
        }
        catch (ConfigException)
        {
            return [];
        }
    }
}

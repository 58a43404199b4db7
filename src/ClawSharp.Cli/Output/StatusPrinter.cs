using System.Globalization;
using System.Text.Json;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Hosting;

namespace ClawSharp.Cli.Commands;

/// <summary>What <c>status</c> concludes, and how it shows it (human lines or the documented JSON).</summary>
internal sealed record StatusView(string Status, string Headline, ExitCode ExitCode, DaemonSnapshot Snapshot, JsonElement? Gateway)
{
    /// <summary>The last update restart that fell back in process (update-failed.json), if any.</summary>
    public UpdateFailure? UpdateFailure { get; init; }

    public static StatusView Decide(DaemonSnapshot snapshot, JsonElement? gateway)
    {
        var daemon = snapshot.Daemon;
        var supervised = snapshot.Supervisor is not null;
        if (snapshot.Gateway is { } owner)
        {
            if (gateway is { } g)
            {
                var uptime = TimeSpan.FromMilliseconds(g.GetProperty("uptimeMs").GetInt64());
                return new StatusView("running",
                    $"Running: pid {owner.Pid}, port {PortOf(owner, gateway)}, version {g.GetProperty("version").GetString()}, " +
                    $"started {Local(DateTimeOffset.UtcNow - uptime)} (up {Uptime(uptime)}), state {g.GetProperty("state").GetString()}",
                    ExitCode.Success, snapshot, gateway);
            }
            if (supervised && daemon!.State == DaemonPhase.Starting)
            {
                return new StatusView("starting", $"Starting: pid {owner.Pid} does not answer yet on port {owner.Port}", ExitCode.NotRunning, snapshot, null);
            }
            return new StatusView("unreachable",
                $"Unreachable: pid {owner.Pid} is alive but does not answer on port {owner.Port} (see 'clawsharp gateway logs')", ExitCode.Failure, snapshot, null);
        }
        if (snapshot.Restarting is { Problem: { } problem } failedRestart)
        {
            return new StatusView("failed", $"Failed: pid {failedRestart.Pid} is alive but its restart did not start a server ({problem}); fix it, then 'kill -USR1 {failedRestart.Pid}' or 'clawsharp gateway stop'",
                ExitCode.Failure, snapshot, null);
        }
        if (snapshot.Restarting is { } restarting)
        {
            return new StatusView("starting", $"Restarting: pid {restarting.Pid} closed its server and is starting again (in process or as a fresh process)",
                ExitCode.NotRunning, snapshot, null);
        }
        if (supervised)
        {
            return daemon!.State switch
            {
                DaemonPhase.Backoff => new StatusView("backoff",
                    $"Backoff: the gateway crashed ({daemon.LastExit?.Description ?? "unknown exit"}); the supervisor starts it again {When(daemon.NextStartAt)}",
                    ExitCode.NotRunning, snapshot, null),
                _ => new StatusView("starting",
                    snapshot.StartingGateway is { } child ? $"Starting: gateway pid {child.Pid} is not ready yet" : "Starting: the supervisor is starting the gateway",
                    ExitCode.NotRunning, snapshot, null),
            };
        }
        if (daemon is { State: DaemonPhase.Failed })
        {
            return new StatusView("failed", $"Failed: {daemon.FailureReason}", ExitCode.Failure, snapshot, null);
        }
        if (snapshot.UnknownSupervisorAlive)
        {
            return new StatusView("starting", "Unknown: a supervisor holds supervisor.lock but daemon.json is unreadable", ExitCode.NotRunning, snapshot, null);
        }
        var why = daemon is { State: DaemonPhase.Stopped, LastExit: { } last } ? $"stopped at {Local(last.At)}"
            : snapshot.Problems.Count > 0 ? snapshot.Problems[0]
            : "no gateway holds the lock";
        return new StatusView("stopped", $"Stopped ({why})", ExitCode.NotRunning, snapshot, null);
    }

    public static void Print(StatusView view, StateDirectory state)
    {
        var output = Console.Out;
        output.WriteLine(view.Headline);
        var daemon = view.Snapshot.Daemon;
        if (view.Snapshot.Supervisor is { } supervisor && daemon is not null)
        {
            output.WriteLine($"  supervisor   builtin, pid {supervisor.Pid}, started {Local(daemon.StartedAt)} (up {Uptime(DateTimeOffset.UtcNow - daemon.StartedAt)}), " +
                $"{daemon.RestartCount} restart(s), {daemon.CrashCount} crash(es)");
        }
        else
        {
            output.WriteLine(daemon is null ? "  supervisor   none" : $"  supervisor   none running (daemon.json: {Phase(daemon.State)}, {daemon.RestartCount} restart(s), {daemon.CrashCount} crash(es))");
        }
        if (daemon?.LastExit is { } exit)
        {
            output.WriteLine($"  last exit    {exit.Description} at {Local(exit.At)}");
        }
        if (view.Gateway is { } g)
        {
            var work = g.GetProperty("work");
            output.WriteLine($"  work         queue {work.GetProperty("queueSize")}, pending replies {work.GetProperty("pendingReplies")}, " +
                $"runs {work.GetProperty("activeRuns")}, tasks {work.GetProperty("activeTasks")}");
        }
        if (view.UpdateFailure is { } update)
        {
            output.WriteLine($"  update       the last update restart failed at {Local(update.At)} ({update.Reason}): {update.Detail}; still running the previous binary");
        }
        output.WriteLine($"  log          {state.LogFile}");
        output.WriteLine($"  state dir    {state.Root}");
        foreach (var problem in view.Snapshot.Problems)
        {
            output.WriteLine($"  note         {problem}");
        }
        if (view.Status == "failed" && daemon?.LastLogLines is { Count: > 0 } lines)
        {
            output.WriteLine("  last log lines:");
            foreach (var line in lines)
            {
                output.WriteLine($"    {line}");
            }
        }
    }

    public static void WriteJson(Utf8JsonWriter w, StatusView view, StateDirectory state)
    {
        var snapshot = view.Snapshot;
        var daemon = snapshot.Daemon;
        w.WriteStartObject();
        w.WriteBoolean("ok", true);
        w.WriteString("action", "status");
        w.WriteString("status", view.Status);
        w.WriteBoolean("running", view.Status == "running");
        w.WriteString("message", view.Headline);
        w.WriteString("stateDir", state.Root);
        w.WriteString("logFile", state.LogFile);
        if (snapshot.GatewayPid is { } pid)
        {
            w.WriteNumber("pid", pid);
        }
        if (snapshot.Gateway is { } owner)
        {
            w.WriteNumber("port", PortOf(owner, view.Gateway));
            w.WriteString("version", owner.Version);
        }
        w.WritePropertyName("supervisor");
        if (daemon is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteStartObject();
            w.WriteString("kind", "builtin");
            w.WriteBoolean("alive", snapshot.Supervisor is not null);
            w.WriteNumber("pid", daemon.SupervisorPid);
            w.WriteString("state", Phase(daemon.State));
            w.WriteString("startedAt", daemon.StartedAt);
            w.WriteNumber("restartCount", daemon.RestartCount);
            w.WriteNumber("crashCount", daemon.CrashCount);
            if (daemon.LastExit is { } exit)
            {
                w.WriteStartObject("lastExit");
                w.WriteNumber("code", exit.Code);
                if (exit.Signal is { } signal)
                {
                    w.WriteNumber("signal", signal);
                }
                w.WriteString("description", exit.Description);
                w.WriteString("at", exit.At);
                w.WriteEndObject();
            }
            if (daemon.NextStartAt is { } next)
            {
                w.WriteString("nextStartAt", next);
            }
            if (daemon.FailureReason is { } reason)
            {
                w.WriteString("failureReason", reason);
            }
            if (daemon.LastLogLines is { } lines)
            {
                w.WriteStartArray("lastLogLines");
                foreach (var line in lines)
                {
                    w.WriteStringValue(line);
                }
                w.WriteEndArray();
            }
            w.WriteString("logFile", daemon.SupervisorLogFile);
            w.WriteEndObject();
        }
        w.WriteStartArray("problems");
        foreach (var problem in snapshot.Problems)
        {
            w.WriteStringValue(problem);
        }
        w.WriteEndArray();
        if (view.UpdateFailure is { } update)
        {
            w.WriteStartObject("updateFailure");
            w.WriteString("at", update.At);
            w.WriteString("reason", update.Reason);
            if (update.ChildPid is { } child)
            {
                w.WriteNumber("childPid", child);
            }
            w.WriteString("detail", update.Detail);
            w.WriteEndObject();
        }
        if (view.Gateway is { } g)
        {
            w.WritePropertyName("gateway");
            g.WriteTo(w);
        }
        w.WriteEndObject();
    }

    private static string Local(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>
    /// The port the gateway says it serves; the lock's record only when it did not answer. The
    /// lock names the configured port (0 for "any") until the socket is bound, so a status
    /// taken at that moment would otherwise print 0.
    /// </summary>
    private static int PortOf(LockOwner owner, JsonElement? gateway) =>
        gateway is { } g && g.TryGetProperty("port", out var port) && port.TryGetInt32(out var served) && served > 0 ? served : owner.Port;

    private static string Phase(DaemonPhase phase) => phase.ToString().ToLowerInvariant();

    private static string When(DateTimeOffset? at) =>
        at is { } due && due > DateTimeOffset.UtcNow ? $"in {(due - DateTimeOffset.UtcNow).TotalSeconds:0.#} s" : "now";

    private static string Uptime(TimeSpan span) => span.ToString(span.TotalDays >= 1 ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss", CultureInfo.InvariantCulture);
}

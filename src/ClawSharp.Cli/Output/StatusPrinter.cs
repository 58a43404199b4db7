using System.Text.Json;
using ClawSharp.Control.Status;
using ClawSharp.Daemon;
using ClawSharp.Gateway.Protocol;

namespace ClawSharp.Cli.Output;

/// <summary>How <c>gateway status</c> shows a <see cref="GatewayStatusReport"/>: human lines, or the documented JSON.</summary>
internal static class StatusPrinter
{
    public static void Print(GatewayStatusReport report)
    {
        var output = Console.Out;
        output.WriteLine(report.Verdict.Headline);
        var daemon = report.Snapshot.Daemon;
        if (report.GatewayBinary is { } gateway)
        {
            output.WriteLine($"  gateway      {Binary(gateway)}");
        }
        if (report.CliBinary is { } cli)
        {
            output.WriteLine($"  cli          {Binary(cli)}");
        }
        if (report.VersionDrift is { } versionDrift)
        {
            output.WriteLine($"  drift        {versionDrift}");
        }
        if (report.Service is { } service)
        {
            output.WriteLine($"  service      {Control.Services.ServiceInstaller.Describe(service.Record)}: {service.View.Summary}");
            foreach (var drift in service.Drift)
            {
                output.WriteLine($"  drift        {drift}");
            }
        }
        if (report.Snapshot.Supervisor is { } supervisor && daemon is not null)
        {
            output.WriteLine($"  supervisor   builtin, pid {supervisor.Pid}, started {Local(daemon.StartedAt)} (up {GatewayStatusDecision.Uptime(DateTimeOffset.UtcNow - daemon.StartedAt)}), " +
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
        if (daemon is { CrashesInWindow: > 0 })
        {
            output.WriteLine($"  crashes      {daemon.CrashesInWindow} within the crash window (what the storm limit counts, earlier supervisors' included)");
        }
        if (report.Snapshot.Supervisor is not null && daemon is { GatewayRssBytes: { } rss, GatewayRssAt: { } sampled })
        {
            output.WriteLine($"  memory       gateway RSS {UncleanEnd.Megabytes(rss)} at {Local(sampled)}");
        }
        if (daemon?.LastUncleanEnd is { } unclean)
        {
            var rssNote = unclean.LastRssBytes is { } last ? $", last RSS {UncleanEnd.Megabytes(last)}" : "";
            output.WriteLine($"  unclean end  {unclean.Description}, {(unclean.LastSeen ? "last seen" : "at")} {Local(unclean.At)}{rssNote} " +
                $"(recorded {Local(unclean.RecordedAt)}; 'clawsharp gateway logs --previous' shows that run's last lines)");
        }
        if (report.Snapshot.StartFailure is { } refused)
        {
            output.WriteLine($"  start        refused at {Local(refused.At)}: {refused.Message}");
        }
        if (report.Gateway is { Work: var work })
        {
            var failed = work.FailedReplies > 0 ? $", failed replies {work.FailedReplies} (see chat.history)" : "";
            output.WriteLine($"  work         queue {work.QueueSize}, pending replies {work.PendingReplies}{failed}, runs {work.ActiveRuns}, tasks {work.ActiveTasks}");
        }
        if (report.Gateway?.Config is { } config)
        {
            var reloaded = config.ReloadedAt is { } at ? $"last reloaded {Local(at)}" : "not reloaded since start";
            output.WriteLine($"  config       reload {config.ReloadMode}, {reloaded}; log level {config.LogLevel}, max runs {config.MaxConcurrentRuns}, " +
                $"agent {config.DefaultAgent}, restart cooldown {config.CooldownMs} ms");
            if (config.RestartPending)
            {
                output.WriteLine($"  config       restart pending for {string.Join(", ", config.PendingKeys)}");
            }
            if (config.Refused is { } refusedChange)
            {
                output.WriteLine($"  config       last change refused: {refusedChange}; the gateway runs on the config it had");
            }
        }
        if (report.UpdateFailure is { } update)
        {
            output.WriteLine(update.ToVersion is null
                ? $"  update       the last update restart failed at {Local(update.At)} ({update.Reason}): {update.Detail}; still running the previous binary"
                : $"  update       {update.Detail} (at {Local(update.At)})");
        }
        output.WriteLine($"  log          {report.State.LogFile}");
        output.WriteLine($"  state dir    {report.State.Root}");
        foreach (var problem in report.Snapshot.Problems)
        {
            output.WriteLine($"  note         {problem}");
        }
        if (report.Verdict.Kind == GatewayStatusKind.Failed && daemon?.LastLogLines is { Count: > 0 } lines)
        {
            output.WriteLine("  last log lines:");
            foreach (var line in lines)
            {
                output.WriteLine($"    {line}");
            }
        }
    }

    public static void WriteJson(Utf8JsonWriter w, GatewayStatusReport report)
    {
        var snapshot = report.Snapshot;
        var daemon = snapshot.Daemon;
        var state = report.State;
        w.WriteStartObject();
        w.WriteBoolean("ok", true);
        w.WriteString("action", "status");
        w.WriteString("status", report.Verdict.Name);
        w.WriteBoolean("running", report.Verdict.Kind == GatewayStatusKind.Running);
        w.WriteString("message", report.Verdict.Headline);
        w.WriteString("stateDir", state.Root);
        w.WriteString("logFile", state.LogFile);
        if (snapshot.GatewayPid is { } pid)
        {
            w.WriteNumber("pid", pid);
        }
        if (snapshot.Gateway is { } owner)
        {
            w.WriteNumber("port", report.Verdict.Port ?? owner.Port);
            w.WriteString("version", owner.Version);
        }
        WriteBinary(w, "gatewayBinary", report.GatewayBinary);
        WriteBinary(w, "cliBinary", report.CliBinary);
        if (report.VersionDrift is { } versionDrift)
        {
            w.WriteString("versionDrift", versionDrift);
        }
        w.WritePropertyName("supervisor");
        if (daemon is null)
        {
            w.WriteNullValue();
        }
        else
        {
            WriteSupervisor(w, daemon, snapshot.Supervisor is not null);
        }
        if (report.Service is { } service)
        {
            WriteService(w, service);
        }
        w.WriteStartArray("problems");
        foreach (var problem in snapshot.Problems)
        {
            w.WriteStringValue(problem);
        }
        w.WriteEndArray();
        // The records as their own files hold them (names, order, nulls left out).
        if (report.UpdateFailure is { } update)
        {
            w.WritePropertyName("updateFailure");
            JsonSerializer.Serialize(w, update, Gateway.Respawn.RespawnJsonContext.Default.UpdateFailure);
        }
        if (snapshot.StartFailure is { } refused)
        {
            w.WritePropertyName("startFailure");
            JsonSerializer.Serialize(w, refused, Daemon.DaemonJsonContext.Default.StartFailure);
        }
        if (report.Gateway is { } answer)
        {
            w.WritePropertyName("gateway");
            JsonSerializer.Serialize(w, answer, ProtocolJsonContext.Default.StatusPayload);
        }
        w.WriteEndObject();
    }

    private static string Binary(BinaryIdentity binary) => binary.Path is { } path ? $"{binary.Describe()}, {path}" : binary.Describe();

    /// <summary><c>{"version", "commit", "buildDate", "path"}</c>, unknown ones left out.</summary>
    private static void WriteBinary(Utf8JsonWriter w, string name, BinaryIdentity? binary)
    {
        if (binary is null)
        {
            return;
        }
        w.WriteStartObject(name);
        w.WriteString("version", binary.Version);
        if (binary.Commit is { } commit)
        {
            w.WriteString("commit", commit);
        }
        if (binary.BuildDate is { } date)
        {
            w.WriteString("buildDate", date);
        }
        if (binary.Path is { } path)
        {
            w.WriteString("path", path);
        }
        w.WriteEndObject();
    }

    private static void WriteService(Utf8JsonWriter w, Control.Services.ServiceStatus service)
    {
        w.WriteStartObject("service");
        w.WriteString("manager", service.View.Manager);
        w.WriteString("scope", service.Record.Scope.ToString().ToLowerInvariant());
        w.WriteString("name", service.Record.Name);
        w.WriteBoolean("known", service.View.Known);
        w.WriteBoolean("running", service.View.Running);
        w.WriteBoolean("gaveUp", service.View.GaveUp);
        if (service.View.MainPid is { } mainPid)
        {
            w.WriteNumber("mainPid", mainPid);
        }
        if (service.View.Program is { } program)
        {
            w.WriteString("program", program);
        }
        w.WriteString("summary", service.View.Summary);
        w.WriteStartObject("properties");
        foreach (var (key, value) in service.View.Properties)
        {
            w.WriteString(key, value);
        }
        w.WriteEndObject();
        w.WriteStartArray("drift");
        foreach (var drift in service.Drift)
        {
            w.WriteStringValue(drift);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSupervisor(Utf8JsonWriter w, DaemonState daemon, bool alive)
    {
        w.WriteStartObject();
        w.WriteString("kind", "builtin");
        w.WriteBoolean("alive", alive);
        w.WriteNumber("pid", daemon.SupervisorPid);
        w.WriteString("state", Phase(daemon.State));
        w.WriteString("startedAt", daemon.StartedAt);
        w.WriteNumber("restartCount", daemon.RestartCount);
        w.WriteNumber("crashCount", daemon.CrashCount);
        w.WriteNumber("crashesInWindow", daemon.CrashesInWindow);
        if (daemon.GatewayRssBytes is { } rss)
        {
            w.WriteNumber("gatewayRssBytes", rss);
        }
        if (daemon.GatewayRssAt is { } sampled)
        {
            w.WriteString("gatewayRssAt", sampled);
        }
        if (daemon.LastUncleanEnd is { } unclean)
        {
            WriteUncleanEnd(w, unclean);
        }
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

    private static void WriteUncleanEnd(Utf8JsonWriter w, UncleanEnd unclean)
    {
        w.WriteStartObject("lastUncleanEnd");
        w.WriteString("process", unclean.Process);
        w.WriteNumber("pid", unclean.Pid);
        w.WriteString("at", unclean.At);
        w.WriteBoolean("lastSeen", unclean.LastSeen);
        if (unclean.Signal is { } signal)
        {
            w.WriteNumber("signal", signal);
        }
        w.WriteString("description", unclean.Description);
        if (unclean.LastRssBytes is { } rss)
        {
            w.WriteNumber("lastRssBytes", rss);
        }
        w.WriteStartArray("lastLogLines");
        foreach (var line in unclean.LastLogLines)
        {
            w.WriteStringValue(line);
        }
        w.WriteEndArray();
        w.WriteString("recordedAt", unclean.RecordedAt);
        w.WriteEndObject();
    }

    private static string Local(DateTimeOffset at) => GatewayStatusDecision.Local(at);

    private static string Phase(DaemonPhase phase) => phase.ToString().ToLowerInvariant();
}

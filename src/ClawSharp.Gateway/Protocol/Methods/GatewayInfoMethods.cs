using System.Diagnostics;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Protocol.Methods;

/// <summary>The <c>health</c> and <c>status</c> methods (scope <c>operator.read</c>, as OpenClaw).</summary>
internal static class GatewayInfoMethods
{
    public static MethodRegistry AddGatewayInfoMethods(this MethodRegistry registry, GatewayRuntimeInfo runtime, ConnectionRegistry connections,
        Func<Work.WorkCounters> work, LiveConfig live) =>
        registry
            .Add(new MethodDescriptor("health", Scopes.Read, (_, _) => ValueTask.FromResult(Health(runtime))))
            .Add(new MethodDescriptor("status", Scopes.Read, (_, _) => ValueTask.FromResult(Status(runtime, connections, work(), live))));

    private static MethodResult Health(GatewayRuntimeInfo runtime)
    {
        var started = Stopwatch.GetTimestamp();
        var payload = new HealthPayload(
            Ok: true,
            Ts: runtime.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            DurationMs: (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            Status: "live",
            State: runtime.RunState(),
            UptimeMs: runtime.UptimeMs,
            Pid: runtime.Pid,
            Version: runtime.Version,
            BootId: runtime.BootId);
        return MethodResult.Ok(payload, ProtocolJsonContext.Default.HealthPayload);
    }

    private static MethodResult Status(GatewayRuntimeInfo runtime, ConnectionRegistry connections, Work.WorkCounters work, LiveConfig live)
    {
        var now = runtime.Time.GetUtcNow();
        var payload = new StatusPayload(
            RuntimeVersion: runtime.Version,
            Version: runtime.Version,
            Pid: runtime.Pid,
            State: runtime.RunState(),
            UptimeMs: runtime.UptimeMs,
            StartedAt: runtime.IterationStartedAt,
            ProcessUptimeMs: (long)(now - runtime.ProcessStartedAt).TotalMilliseconds,
            ProcessStartedAt: runtime.ProcessStartedAt,
            Restarts: runtime.Restarts(),
            Port: runtime.Endpoint.Port,
            Bind: runtime.Endpoint.Address.ToString(),
            StateDir: runtime.State.Root,
            BootId: runtime.BootId,
            AuthMode: runtime.AuthMode.ToString().ToLowerInvariant(),
            Connections: connections.Count,
            Work: new WorkCountsPayload(work.QueueSize, work.PendingReplies, work.ActiveRuns, work.ActiveTasks, work.FailedReplies),
            Commit: GatewayVersion.Commit,
            BuildDate: GatewayVersion.BuildDate,
            Executable: Environment.ProcessPath,
            Config: ConfigStatus(live));
        return MethodResult.Ok(payload, ProtocolJsonContext.Default.StatusPayload);
    }

    /// <summary>The hot settings in effect now (what a config reload changes live) and the reload state.</summary>
    private static ConfigStatusPayload ConfigStatus(LiveConfig live)
    {
        var config = live.Current;
        var reload = live.Reload;
        return new ConfigStatusPayload(
            ReloadMode: config.Restart.ReloadMode,
            LogLevel: ConfigReloadTable.LevelName(config.Logs.Level),
            MaxConcurrentRuns: config.Agents.MaxConcurrentRuns,
            DefaultAgent: config.Agents.Default,
            EchoDelayMs: (long)config.Agents.EchoDelay.TotalMilliseconds,
            CooldownMs: (long)config.Restart.Cooldown.TotalMilliseconds,
            RestartsEnabled: config.Restart.Enabled,
            ReloadedAt: reload.ReloadedAt,
            RestartPending: reload.PendingRestart.Count > 0,
            PendingKeys: [.. reload.PendingRestart],
            Refused: reload.Refused);
    }

}

namespace ClawSharp.Gateway.Protocol;

internal sealed record ChallengePayload(string Nonce, long Ts);

internal sealed record TickPayload(long Ts);

/// <summary><c>restartExpectedMs</c> is 1500 on a restart and null on a stop.</summary>
internal sealed record ShutdownPayload(string Reason, int? RestartExpectedMs);

internal sealed record HelloOk(
    string Type,
    int Protocol,
    HelloServer Server,
    HelloFeatures Features,
    HelloSnapshot Snapshot,
    HelloAuth Auth,
    HelloPolicy Policy);

internal sealed record HelloServer(string Version, string ConnId, string BootId);

internal sealed record HelloFeatures(IReadOnlyList<string> Methods, IReadOnlyList<string> Events);

/// <summary>The shape OpenClaw's clients read: presence, health, stateVersion, uptimeMs.</summary>
internal sealed record HelloSnapshot(
    IReadOnlyList<string> Presence,
    SnapshotHealth Health,
    SnapshotStateVersion StateVersion,
    long UptimeMs,
    string StateDir,
    string AuthMode);

internal sealed record SnapshotHealth(bool Ok, string Status);

internal sealed record SnapshotStateVersion(long Presence, long Health);

internal sealed record HelloAuth(string Role, IReadOnlyList<string> Scopes);

internal sealed record HelloPolicy(int MaxPayload, int MaxBufferedBytes, long TickIntervalMs);

internal sealed record HealthPayload(
    bool Ok,
    long Ts,
    long DurationMs,
    string Status,
    string State,
    long UptimeMs,
    int Pid,
    string Version,
    string BootId);

/// <summary>
/// The <c>status</c> answer. <c>commit</c>, <c>buildDate</c> and <c>executable</c> (this binary's path)
/// came with the release builds: optional, older gateways leave them out.
/// </summary>
internal sealed record StatusPayload(
    string RuntimeVersion,
    string Version,
    int Pid,
    string State,
    long UptimeMs,
    DateTimeOffset StartedAt,
    long ProcessUptimeMs,
    DateTimeOffset ProcessStartedAt,
    int Restarts,
    int Port,
    string Bind,
    string StateDir,
    string BootId,
    string AuthMode,
    int Connections,
    WorkCountsPayload Work,
    string? Commit = null,
    string? BuildDate = null,
    string? Executable = null,
    ConfigStatusPayload? Config = null);

/// <summary>
/// The config settings that a reload applies live, as in effect now, and the reload state:
/// when the file was last applied, whether a restart is pending for changed keys (and which),
/// and the last change refused. Optional: older gateways leave it out.
/// </summary>
internal sealed record ConfigStatusPayload(
    string ReloadMode,
    string LogLevel,
    int MaxConcurrentRuns,
    string DefaultAgent,
    long EchoDelayMs,
    long CooldownMs,
    bool RestartsEnabled,
    DateTimeOffset? ReloadedAt,
    bool RestartPending,
    string[] PendingKeys,
    string? Refused);

/// <summary>The gateway's own view of its active work, as the safe-restart preflight counts it.</summary>
internal sealed record WorkCountsPayload(int QueueSize, long PendingReplies, int ActiveRuns, int ActiveTasks, long FailedReplies = 0);

/// <summary>A <c>chat</c> event: the reply of a run (<c>state</c> final, error or aborted).</summary>
internal sealed record ChatEventPayload(string RunId, string MessageId, string SessionKey, int Seq, string State, ChatMessage? Message, string? ErrorMessage);

internal sealed record ChatMessage(string Role, string Content);

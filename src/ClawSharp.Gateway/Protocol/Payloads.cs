namespace ClawSharp.Gateway.Protocol;

public sealed record ChallengePayload(string Nonce, long Ts);

public sealed record TickPayload(long Ts);

/// <summary><c>restartExpectedMs</c> is 1500 on a restart and null on a stop.</summary>
public sealed record ShutdownPayload(string Reason, int? RestartExpectedMs);

public sealed record HelloOk(
    string Type,
    int Protocol,
    HelloServer Server,
    HelloFeatures Features,
    HelloSnapshot Snapshot,
    HelloAuth Auth,
    HelloPolicy Policy);

public sealed record HelloServer(string Version, string ConnId, string BootId);

public sealed record HelloFeatures(IReadOnlyList<string> Methods, IReadOnlyList<string> Events);

/// <summary>The shape OpenClaw's clients read: presence, health, stateVersion, uptimeMs.</summary>
public sealed record HelloSnapshot(
    IReadOnlyList<string> Presence,
    SnapshotHealth Health,
    SnapshotStateVersion StateVersion,
    long UptimeMs,
    string StateDir,
    string AuthMode);

public sealed record SnapshotHealth(bool Ok, string Status);

public sealed record SnapshotStateVersion(long Presence, long Health);

public sealed record HelloAuth(string Role, IReadOnlyList<string> Scopes);

public sealed record HelloPolicy(int MaxPayload, int MaxBufferedBytes, long TickIntervalMs);

public sealed record HealthPayload(
    bool Ok,
    long Ts,
    long DurationMs,
    string Status,
    string State,
    long UptimeMs,
    int Pid,
    string Version,
    string BootId);

public sealed record StatusPayload(
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
    WorkCountsPayload Work);

/// <summary>The gateway's own view of its active work, as the safe-restart preflight counts it.</summary>
public sealed record WorkCountsPayload(int QueueSize, long PendingReplies, int ActiveRuns, int ActiveTasks);

/// <summary>A <c>chat</c> event: the reply of a run (<c>state</c> final, error or aborted).</summary>
public sealed record ChatEventPayload(string RunId, string MessageId, string SessionKey, int Seq, string State, ChatMessage? Message, string? ErrorMessage);

public sealed record ChatMessage(string Role, string Content);

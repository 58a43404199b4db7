using System.Text.Json.Serialization;

namespace ClawSharp.Gateway.Protocol.Methods;

public sealed record ChatSendAccepted(string RunId, string MessageId, string SessionKey, string Status, bool Duplicate);

public sealed record ChatSendFinal(string RunId, string MessageId, string SessionKey, string Status, string? Reply, string? Error);

public sealed record ChatAbortResult(bool Ok, IReadOnlyList<string> Aborted);

public sealed record ChatHistoryResult(string SessionKey, IReadOnlyList<ChatHistoryMessage> Messages);

public sealed record ChatHistoryMessage(string Role, string Content, string MessageId, string? RunId, string? State, long Ts);

public sealed record SessionsListResult(IReadOnlyList<SessionItem> Sessions);

public sealed record SessionItem(string Key, string Agent, bool Webhook, long CreatedAt, long Messages, long LastActivityAt);

public sealed record TaskItem(
    string TaskId, string RunId, string Runtime, string? Label, string? Title, string Command, string? SessionKey, string Status,
    bool Restartable, long? TimeoutMs, int? ExitCode, string? Output, string? Error, long CreatedAt, long? StartedAt, long? EndedAt,
    long? RuntimeMs);

public sealed record TasksListResult(IReadOnlyList<TaskItem> Tasks, string? NextCursor);

public sealed record TaskGetResult(TaskItem Task);

public sealed record TaskCancelResult(bool Found, bool Cancelled, TaskItem? Task);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ChatSendAccepted))]
[JsonSerializable(typeof(ChatSendFinal))]
[JsonSerializable(typeof(ChatAbortResult))]
[JsonSerializable(typeof(ChatHistoryResult))]
[JsonSerializable(typeof(SessionsListResult))]
[JsonSerializable(typeof(TasksListResult))]
[JsonSerializable(typeof(TaskGetResult))]
[JsonSerializable(typeof(TaskCancelResult))]
public sealed partial class WorkJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace ClawSharp.Gateway.Protocol.Methods;

internal sealed record ChatSendAccepted(string RunId, string MessageId, string SessionKey, string Status, bool Duplicate);

internal sealed record ChatSendFinal(string RunId, string MessageId, string SessionKey, string Status, string? Reply, string? Error);

internal sealed record ChatAbortResult(bool Ok, IReadOnlyList<string> Aborted);

internal sealed record ChatHistoryResult(string SessionKey, IReadOnlyList<ChatHistoryMessage> Messages);

/// <summary>A reply (role assistant) also says its <c>delivery</c>: pending, delivered or failed, with the last <c>deliveryError</c>.</summary>
internal sealed record ChatHistoryMessage(string Role, string Content, string MessageId, string? RunId, string? State, long Ts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Delivery = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DeliveryError = null);

internal sealed record SessionsListResult(IReadOnlyList<SessionItem> Sessions);

internal sealed record SessionItem(string Key, string Agent, bool Webhook, long CreatedAt, long Messages, long LastActivityAt);

internal sealed record TaskItem(
    string TaskId, string RunId, string Runtime, string? Label, string? Title, string Command, string? SessionKey, string Status,
    bool Restartable, long? TimeoutMs, int? ExitCode, string? Output, string? Error, long CreatedAt, long? StartedAt, long? EndedAt,
    long? RuntimeMs, bool OutputTruncated);

internal sealed record TasksListResult(IReadOnlyList<TaskItem> Tasks, string? NextCursor);

internal sealed record TaskGetResult(TaskItem Task);

internal sealed record TaskCancelResult(bool Found, bool Cancelled, TaskItem? Task);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ChatSendAccepted))]
[JsonSerializable(typeof(ChatSendFinal))]
[JsonSerializable(typeof(ChatAbortResult))]
[JsonSerializable(typeof(ChatHistoryResult))]
[JsonSerializable(typeof(SessionsListResult))]
[JsonSerializable(typeof(TasksListResult))]
[JsonSerializable(typeof(TaskGetResult))]
[JsonSerializable(typeof(TaskCancelResult))]
internal sealed partial class WorkJsonContext : JsonSerializerContext;

namespace ClawSharp.Gateway.Storage;

/// <summary>queued → running → completed | failed | aborted | interrupted (ARCHITECTURE.md §4).</summary>
internal enum RunStatus
{
    Queued,
    Running,
    Completed,
    Failed,
    Aborted,
    Interrupted,
}

/// <summary>queued → running → succeeded | failed | timed_out | cancelled | lost.</summary>
internal enum TaskState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Cancelled,
    Lost,
}

/// <summary>What <c>chat.send</c> answers: the ids of the message, new or (same idempotency key) the first one's.</summary>
internal sealed record AcceptedMessage(string MessageId, string RunId, string SessionKey, RunStatus Status, bool Duplicate)
{
    /// <summary>A new message whose run was answered in the write that accepted it (its status is already final).</summary>
    public bool AnsweredAtOnce => !Duplicate && Status != RunStatus.Queued;
}

/// <summary>How a run ends: its final status, and its reply (state <c>final</c>, <c>error</c> or <c>aborted</c>; text or error).</summary>
internal sealed record RunEnding(RunStatus Status, string ReplyState, string? Text, string? Error);

/// <summary>A run to execute: its message and the agent of its session.</summary>
internal sealed record RunWork(string RunId, string MessageId, string SessionKey, string Text, string Agent, int Attempts);

/// <summary>A reply waiting in the outbox; <paramref name="WebhookUrl"/> is the one its own message named.</summary>
internal sealed record PendingReply(long Id, string RunId, string MessageId, string SessionKey, string State, string? Text,
    int Attempts, string? WebhookUrl, long CreatedAt);

/// <summary>
/// One line of <c>chat.history</c>. A reply's <paramref name="Delivery"/> is <c>pending</c>,
/// <c>delivered</c> or <c>failed</c> (out of attempts or age), with the last attempt's error.
/// </summary>
internal sealed record HistoryEntry(string Role, string Content, string MessageId, string? RunId, string? State, long Ts,
    string? Delivery = null, string? DeliveryError = null);

internal sealed record SessionSummary(string Key, string Agent, string? WebhookUrl, long CreatedAt, long Messages, long LastActivityAt);

internal sealed record TaskRecord(
    string TaskId,
    string RunId,
    string Runtime,
    string? Label,
    string? Title,
    string Command,
    string? SessionKey,
    TaskState Status,
    bool Restartable,
    long? TimeoutMs,
    int? ExitCode,
    string? Output,
    string? Error,
    long CreatedAt,
    long? StartedAt,
    long? EndedAt,
    bool OutputTruncated);

/// <summary>What recovery did at start.</summary>
internal sealed record RecoveryReport(int RunsRequeued, int RunsFailed, int TasksLost, int TasksRequeued);

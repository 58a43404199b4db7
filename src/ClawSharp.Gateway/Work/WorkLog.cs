using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Work;

/// <summary>Log messages of the work model; event ids 3000–3099, and 3200–3249 for webhook delivery.</summary>
internal static partial class WorkLog
{
    [LoggerMessage(3000, LogLevel.Information, "recovered the store: {Requeued} interrupted run(s) queued again, {Failed} failed, {Queued} run(s) queued; {TasksLost} task(s) lost, {TasksRequeued} requeued")]
    public static partial void Recovered(ILogger logger, int requeued, int failed, int queued, int tasksLost, int tasksRequeued);

    [LoggerMessage(3001, LogLevel.Debug, "run {RunId} of session {SessionKey} {Outcome} in {ElapsedMs:F1} ms")]
    public static partial void RunFinished(ILogger logger, string runId, string sessionKey, string outcome, double elapsedMs);

    [LoggerMessage(3002, LogLevel.Warning, "reply {RunId} to webhook {Url} failed (attempt {Attempt}): {Error}; retrying in {DelayMs} ms")]
    public static partial void WebhookFailed(ILogger logger, string runId, string url, int attempt, string error, double delayMs);

    [LoggerMessage(3003, LogLevel.Error, "run {RunId} threw")]
    public static partial void RunThrew(ILogger logger, Exception exception, string runId);

    [LoggerMessage(3004, LogLevel.Information, "task {TaskId} ({Label}) {Status}")]
    public static partial void TaskEnded(ILogger logger, string taskId, string label, string status);

    [LoggerMessage(3005, LogLevel.Information, "pruned {Count} ended task(s) older than {RetentionHours:F0} h")]
    public static partial void TasksPruned(ILogger logger, int count, double retentionHours);

    [LoggerMessage(3006, LogLevel.Error, "reply delivery loop failed")]
    public static partial void OutboxFailed(ILogger logger, Exception exception);

    [LoggerMessage(3007, LogLevel.Warning, "task sweep skipped")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(3008, LogLevel.Error, "lane of session {SessionKey} failed on run {RunId}; the run stays in the store")]
    public static partial void LaneFailed(ILogger logger, Exception exception, string sessionKey, string runId);

    [LoggerMessage(3200, LogLevel.Warning, "reply {RunId} of session {SessionKey} to webhook {Url} failed for good after {Attempts} attempt(s): {Error} ({Reason}); it is marked failed")]
    public static partial void WebhookGaveUp(ILogger logger, string runId, string sessionKey, string url, int attempts, string error, string reason);
    [LoggerMessage(3100, LogLevel.Information, "task {TaskId} wrote {TotalBytes} bytes; kept the last {KeptBytes} (tasks.maxOutputBytes)")]
    public static partial void TaskOutputTruncated(ILogger logger, string taskId, long totalBytes, int keptBytes);

    [LoggerMessage(3101, LogLevel.Warning, "ended {Count} process(es) left by the {Kind} {OwnerId} of gateway pid {GatewayPid} (session {Pid}), before running any work")]
    public static partial void LeftoverChildKilled(ILogger logger, int count, string kind, string ownerId, int gatewayPid, int pid);

    [LoggerMessage(3102, LogLevel.Warning, "could not end every process left by the {Kind} {OwnerId} (session {Pid}); it stays recorded for the next start")]
    public static partial void LeftoverChildSurvived(ILogger logger, string kind, string ownerId, int pid);
}

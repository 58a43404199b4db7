using System.Text.Json.Serialization;

namespace ClawSharp.Gateway.Restart;

/// <summary>The answer of <c>gateway.restart.preflight</c> (PROTOCOL.md).</summary>
internal sealed record PreflightResult(bool Safe, PreflightCounts Counts, IReadOnlyList<PreflightBlocker> Blockers, string Summary)
{
    /// <summary>
    /// Why the next start would fail (config, store), so that a restart would be refused now; null when it
    /// would start. Only in the method's answer (a ClawSharp addition; OpenClaw's clients ignore it).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NextStartProblem { get; init; }
}

internal sealed record PreflightCounts(int QueueSize, long PendingReplies, int EmbeddedRuns, int CronRuns, int ActiveTasks, long TotalActive);

/// <param name="Kind"><c>queue</c>, <c>reply</c>, <c>embedded-run</c>, <c>cron-run</c> or <c>task</c>.</param>
internal sealed record PreflightBlocker(
    string Kind,
    long Count,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PreflightTask? Task = null);

internal sealed record PreflightTask(string TaskId, string RunId, string Status, long RuntimeMs, string? Label, string? Title);

/// <summary>The answer of <c>gateway.restart.request</c>.</summary>
internal sealed record RestartRequestResult(bool Ok, string Status, PreflightResult Preflight, RestartInfo Restart, InterruptionInfo Interruption);

/// <param name="Escalated">Set on a request that joined a pending restart and cut it short: <c>force</c> (restart now) or <c>wait</c> (the drain capped).</param>
/// <param name="SatisfiedBy">Set when a generation that started after the request already serves: no restart follows.</param>
internal sealed record RestartInfo(bool Ok, int Pid, string Signal, long DelayMs, string Reason, string Mode, bool Coalesced, long CooldownMsApplied,
    string? Escalated = null, GenerationInfo? SatisfiedBy = null);

/// <summary>A server generation: its boot id and when it started.</summary>
internal sealed record GenerationInfo(string BootId, DateTimeOffset StartedAt);

internal sealed record InterruptionInfo(bool SkipDeferralRequested, bool ActiveWorkInterruptApproved, bool SkipDeferralDowngraded);

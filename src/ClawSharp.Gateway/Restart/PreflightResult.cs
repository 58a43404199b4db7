using System.Text.Json.Serialization;

namespace ClawSharp.Gateway.Restart;

/// <summary>The answer of <c>gateway.restart.preflight</c> (PROTOCOL.md).</summary>
internal sealed record PreflightResult(bool Safe, PreflightCounts Counts, IReadOnlyList<PreflightBlocker> Blockers, string Summary);

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

internal sealed record RestartInfo(bool Ok, int Pid, string Signal, long DelayMs, string Reason, string Mode, bool Coalesced, long CooldownMsApplied);

internal sealed record InterruptionInfo(bool SkipDeferralRequested, bool ActiveWorkInterruptApproved, bool SkipDeferralDowngraded);

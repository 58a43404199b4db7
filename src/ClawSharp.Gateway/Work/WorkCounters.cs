namespace ClawSharp.Gateway.Work;

/// <summary>What the safe-restart preflight counts (PROTOCOL.md).</summary>
/// <param name="QueueSize">Queued plus active run operations.</param>
/// <param name="PendingReplies">Replies neither delivered nor failed, including those being sent.</param>
/// <param name="ActiveRuns">Agent runs executing now.</param>
/// <param name="ActiveTasks">Background tasks running now (queued ones do not count).</param>
/// <param name="FailedReplies">Replies whose webhook was given up (attempts or age spent, or address refused).</param>
internal sealed record WorkCounters(int QueueSize, long PendingReplies, int ActiveRuns, int ActiveTasks, long FailedReplies = 0);

namespace ClawSharp.Gateway.Restart;

/// <summary>How a restart that was decided is carried out.</summary>
/// <param name="Force">Skip the drain: active runs are cut (and queued again after the restart).</param>
/// <param name="DrainBudget">How long the drain may wait for active work; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
/// <param name="Delay">Cooldown still to wait before the restart begins.</param>
/// <param name="Reason">Why, for the log and the <c>shutdown</c> event.</param>
internal sealed record RestartPlan(bool Force, TimeSpan DrainBudget, TimeSpan Delay, string Reason);

using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Restart;

/// <summary>
/// Decides scheduled / deferred / coalesced, honours <c>skipDeferral</c> only when safe or
/// approved, and applies the cooldown between restarts. Whether a restart is in flight is the
/// run loop's state, passed in; the coordinator keeps only when the last restart ended.
/// Called from the run loop's thread and its step's: the last restart's time is written as a step ends and read only by a
/// decision with no restart in flight, which never runs beside a step, so it needs no lock.
/// </summary>
/// <param name="time">The clock (cooldown).</param>
/// <param name="modeOf">The restart mode a restart with this reason will take, as its wire name.</param>
internal sealed class RestartCoordinator(TimeProvider time, Func<string, string> modeOf)
{
    private DateTimeOffset? lastRestartAt;

    /// <param name="ask">The request.</param>
    /// <param name="preflight">The active work now.</param>
    /// <param name="options">The restart options of the generation that serves.</param>
    /// <param name="inFlight">The restart already in flight, if any: the request joins it.</param>
    /// <param name="serving">The generation serving now: one the request did not see (or that started after it) satisfies it.</param>
    public RestartDecision Decide(RestartAsk ask, PreflightResult preflight, RestartOptions options, RestartInfo? inFlight, GenerationInfo? serving = null)
    {
        var skipRequested = ask.SkipDeferral;
        var approved = ask.InterruptActiveWork;
        var skipHonoured = skipRequested && (preflight.Safe || approved);
        var interruption = new InterruptionInfo(skipRequested, approved, skipRequested && !skipHonoured);
        if (inFlight is not null)
        {
            return new RestartDecision("coalesced", null, preflight, inFlight with { Coalesced = true }, interruption);
        }
        if (serving is not null && IsSatisfiedBy(ask, serving))
        {
            var satisfied = new RestartInfo(true, Environment.ProcessId, "SIGUSR1", 0,
                $"already restarted: generation {serving.BootId} started at {serving.StartedAt:O}, after the request", modeOf(""), true, 0, SatisfiedBy: serving);
            return new RestartDecision("coalesced", null, preflight, satisfied, interruption);
        }
        var force = ask.Force == true || (skipHonoured && !preflight.Safe);
        var budget = ShutdownBudget.Drain(options, force, ask.WaitMs);
        var cooldown = lastRestartAt is { } last ? options.Cooldown - (time.GetUtcNow() - last) : TimeSpan.Zero;
        if (cooldown < ask.Delay)
        {
            cooldown = ask.Delay;
        }
        if (cooldown < TimeSpan.Zero)
        {
            cooldown = TimeSpan.Zero;
        }
        var reason = string.IsNullOrWhiteSpace(ask.Reason) ? $"restart requested by {ask.Source}" : ask.Reason.Trim();
        var info = new RestartInfo(true, Environment.ProcessId, "SIGUSR1", (long)cooldown.TotalMilliseconds, reason, modeOf(reason), false,
            (long)cooldown.TotalMilliseconds);
        var status = preflight.Safe || force ? "scheduled" : "deferred";
        return new RestartDecision(status, new RestartPlan(force, budget, cooldown, reason), preflight, info, interruption);
    }

    /// <summary>
    /// A request is satisfied by a generation it did not ask to replace: one other than the
    /// generation it names, or one that started after it was made. The guard that keeps a burst of
    /// requests (or a channel that delivers a restart command twice) to one restart.
    /// </summary>
    public static bool IsSatisfiedBy(RestartAsk ask, GenerationInfo serving) =>
        (ask.IfBootId is { } seen && seen != serving.BootId) || (ask.RequestedAt is { } asked && serving.StartedAt > asked);

    /// <summary>A restart happened (or failed to start again): the next one waits out the cooldown from now.</summary>
    public void Completed() => lastRestartAt = time.GetUtcNow();
}

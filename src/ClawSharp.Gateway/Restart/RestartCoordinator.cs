using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Restart;

/// <summary>What a restart request asks for (RPC params, an intent file, or a bare signal).</summary>
public sealed record RestartAsk(string Source, string? Reason, bool SkipDeferral, bool InterruptActiveWork, bool? Force, long? WaitMs);

/// <summary>The coordinator's answer: the status and the plan to hand the run loop (null when coalesced).</summary>
public sealed record RestartDecision(string Status, RestartPlan? Plan, RestartInfo Info, InterruptionInfo Interruption);

/// <summary>
/// Invariant: at most one restart is in flight; later requests join it (<c>coalesced</c>).
/// Decides scheduled / deferred, honours <c>skipDeferral</c> only when safe or approved,
/// and applies the cooldown between restarts. Pure apart from its pending flag and clock.
/// </summary>
/// <param name="time">The clock (cooldown).</param>
/// <param name="modeOf">The restart mode a restart with this reason will take, as its wire name.</param>
public sealed class RestartCoordinator(TimeProvider time, Func<string, string> modeOf)
{
    private readonly Lock gate = new();
    private RestartInfo? pending;
    private DateTimeOffset? lastRestartAt;

    public bool IsPending
    {
        get
        {
            lock (gate)
            {
                return pending is not null;
            }
        }
    }

    public RestartDecision Decide(RestartAsk ask, PreflightResult preflight, RestartOptions options)
    {
        lock (gate)
        {
            var skipRequested = ask.SkipDeferral;
            var approved = ask.InterruptActiveWork;
            var skipHonoured = skipRequested && (preflight.Safe || approved);
            var interruption = new InterruptionInfo(skipRequested, approved, skipRequested && !skipHonoured);
            if (pending is not null)
            {
                return new RestartDecision("coalesced", null, pending with { Coalesced = true }, interruption);
            }
            var force = ask.Force == true || (skipHonoured && !preflight.Safe);
            var budget = force
                ? TimeSpan.Zero
                : ask.WaitMs is { } ms ? (ms == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(ms)) : options.DeferralTimeout;
            var cooldown = lastRestartAt is { } last ? options.Cooldown - (time.GetUtcNow() - last) : TimeSpan.Zero;
            if (cooldown < TimeSpan.Zero)
            {
                cooldown = TimeSpan.Zero;
            }
            var reason = string.IsNullOrWhiteSpace(ask.Reason) ? $"restart requested by {ask.Source}" : ask.Reason.Trim();
            var info = new RestartInfo(true, Environment.ProcessId, "SIGUSR1", (long)cooldown.TotalMilliseconds, reason, modeOf(reason), false,
                (long)cooldown.TotalMilliseconds);
            pending = info;
            var status = preflight.Safe || force ? "scheduled" : "deferred";
            return new RestartDecision(status, new RestartPlan(force, budget, cooldown, reason), info, interruption);
        }
    }

    /// <summary>The restart happened (or failed to start again): the next request starts a new one, after the cooldown.</summary>
    public void Completed()
    {
        lock (gate)
        {
            pending = null;
            lastRestartAt = time.GetUtcNow();
        }
    }

    /// <summary>The restart will not happen (a stop overtook it): clear the pending flag without a cooldown.</summary>
    public void Abandoned()
    {
        lock (gate)
        {
            pending = null;
        }
    }
}

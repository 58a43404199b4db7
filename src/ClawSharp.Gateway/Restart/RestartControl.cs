using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Work;

namespace ClawSharp.Gateway.Restart;

/// <summary>
/// The restart entry points of one server generation: the preflight over its work, and
/// requests handed to the run loop (<paramref name="submit"/>), where signals end up too, so
/// both are decided by one reader and coalesced alike.
/// </summary>
/// <param name="nextStartProblem">Why the next start would fail (a restart is then refused); null when it would start.</param>
internal sealed class RestartControl(Action<RestartSubmission> submit, Func<RestartOptions> options, WorkHost work, TimeProvider time,
    Func<string?> nextStartProblem)
{
    /// <summary>How long a request waits for the loop's decision; the loop reads commands in every state, so this is a safety net.</summary>
    private static readonly TimeSpan DecisionTimeout = TimeSpan.FromSeconds(10);

    public bool Enabled => options().Enabled;

    public PreflightResult Preflight() => RestartPreflight.Compute(work.Counters, work.RunningTasks(), time.GetUtcNow());

    /// <summary>The preflight an operator asks for: with why a restart would be refused now (it reads the config and the store's header).</summary>
    public PreflightResult PreflightForOperator() => Preflight() with { NextStartProblem = nextStartProblem() };

    /// <summary>
    /// Hands the request to the run loop and waits for its decision. Call
    /// <see cref="RestartSubmission.MarkAnswerSent"/> once the answer is out (a restart waits for it).
    /// </summary>
    public async Task<(RestartDecision? Decision, RestartSubmission Request)> RequestAsync(RestartAsk ask, CancellationToken cancellationToken)
    {
        var request = new RestartSubmission(ask);
        submit(request);
        try
        {
            return (await request.Decision.WaitAsync(DecisionTimeout, time, cancellationToken).ConfigureAwait(false), request);
        }
        catch (TimeoutException)
        {
            request.Refuse($"the gateway did not decide within {DecisionTimeout.TotalSeconds:F0} s; try again");
            request.MarkAnswerSent();
            return (null, request);
        }
    }
}

using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Work;

namespace ClawSharp.Gateway.Restart;

/// <summary>
/// A restart request on its way to the run loop, which alone decides it (so that two requests
/// at once never both start a restart). <see cref="AnswerSent"/> completes once the requester
/// has its answer: the restart closes no connection before that.
/// </summary>
public sealed class RestartRequest(RestartAsk ask)
{
    private readonly TaskCompletionSource<RestartDecision?> decision = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource answerSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RestartAsk Ask { get; } = ask;

    /// <summary>The loop's decision; null when the gateway will not restart (it is stopping).</summary>
    public Task<RestartDecision?> Decision => decision.Task;

    public Task AnswerSent => answerSent.Task;

    public void Decide(RestartDecision? value) => decision.TrySetResult(value);

    public void MarkAnswerSent() => answerSent.TrySetResult();
}

/// <summary>
/// The restart entry points of one server generation: the preflight over its work, and
/// requests handed to the run loop (<paramref name="submit"/>), where signals end up too, so
/// both are decided by one reader and coalesced alike.
/// </summary>
public sealed class RestartControl(Action<RestartRequest> submit, RestartOptions options, WorkHost work, TimeProvider time)
{
    /// <summary>How long a request waits for the loop's decision; the loop reads commands in every state, so this is a safety net.</summary>
    private static readonly TimeSpan DecisionTimeout = TimeSpan.FromSeconds(10);

    public bool Enabled => options.Enabled;

    public PreflightResult Preflight() => RestartPreflight.Compute(work.Counters, work.RunningTasks(), time.GetUtcNow());

    /// <summary>
    /// Hands the request to the run loop and waits for its decision. Call
    /// <see cref="RestartRequest.MarkAnswerSent"/> once the answer is out (a restart waits for it).
    /// </summary>
    public async Task<(RestartDecision? Decision, RestartRequest Request)> RequestAsync(RestartAsk ask, CancellationToken cancellationToken)
    {
        var request = new RestartRequest(ask);
        submit(request);
        try
        {
            return (await request.Decision.WaitAsync(DecisionTimeout, time, cancellationToken).ConfigureAwait(false), request);
        }
        catch (TimeoutException)
        {
            request.MarkAnswerSent();
            return (null, request);
        }
    }
}

namespace ClawSharp.Gateway.Restart;

/// <summary>
/// A restart request on its way to the run loop, which alone decides it (so that two requests
/// at once never both start a restart). <see cref="AnswerSent"/> completes once the requester
/// has its answer: the restart closes no connection before that.
/// </summary>
internal sealed class RestartSubmission(RestartAsk ask)
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

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

    /// <summary>The loop's decision; null when the gateway will not restart (<see cref="Refusal"/> says why).</summary>
    public Task<RestartDecision?> Decision => decision.Task;

    /// <summary>Why the gateway will not restart, once <see cref="Decision"/> is null.</summary>
    public string Refusal { get; private set; } = "the gateway is stopping; no restart will follow";

    public Task AnswerSent => answerSent.Task;

    public void Decide(RestartDecision value) => decision.TrySetResult(value);

    /// <summary>No restart will follow, for <paramref name="reason"/>.</summary>
    public void Refuse(string? reason = null)
    {
        if (reason is not null)
        {
            Refusal = reason;
        }
        decision.TrySetResult(null);
    }

    public void MarkAnswerSent() => answerSent.TrySetResult();
}

namespace ClawSharp.Gateway.Restart;

/// <summary>The coordinator's answer: the status and the plan to carry out (null when coalesced).</summary>
internal sealed record RestartDecision(string Status, RestartPlan? Plan, PreflightResult Preflight, RestartInfo Info, InterruptionInfo Interruption)
{
    /// <summary>The answer of <c>gateway.restart.request</c>.</summary>
    public RestartRequestResult ToResult() => new(true, Status, Preflight, Info, Interruption);
}

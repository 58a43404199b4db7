using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Restart;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// The run loop's answers to restart requests: a new restart is decided (the coordinator's plan)
/// only when the work can be counted, no newer generation already satisfies it, and the next
/// start would succeed; a request that joins a restart in flight may escalate it. Every
/// requester gets exactly one answer, a decision or a refusal with its reason.
/// </summary>
internal sealed class RestartAnswers(RestartCoordinator coordinator, IGenerationStarter starter, StateDirectory state, TimeProvider time, ILogger logger)
{
    /// <summary>The decision of a new restart, answered; null when it is refused or already satisfied (answered too): the gateway keeps serving.</summary>
    public RestartDecision? DecideNew(RunLoopCommand.RestartRequested request, IGatewayGeneration serving, RestartOptions options)
    {
        if (Decide(request, serving.Preflight, options, inFlight: null, serving.Info) is not { Plan: not null } decided)
        {
            return null;
        }
        if (starter.NextStartProblem() is { } problem)
        {
            // Never stop a gateway that cannot come back: refused before anything drains, and --force does not skip this.
            LifecycleLog.RestartRefusedNextStart(logger, request.Source, problem);
            RestartRefusalStore.Write(state, new RestartRefusal(Environment.ProcessId, time.GetUtcNow().ToUnixTimeMilliseconds(), problem));
            request.Requester?.Refuse($"restart refused: the next start would fail: {problem}; the gateway keeps serving");
            return null;
        }
        request.Requester?.Decide(decided);
        return decided;
    }

    /// <summary>Answers a request that joins <paramref name="inFlight"/> (<c>coalesced</c>), escalating it when the request asks for more (force, a shorter cap).</summary>
    public void Join(RunLoopCommand.RestartRequested request, RestartSequence inFlight, RestartOptions options)
    {
        LifecycleLog.RestartCoalesced(logger, request.Source);
        if (inFlight.Decision is not { } pending)
        {
            // A restart from a failed start has no decision to join: nothing serves to drain or answer from.
            request.Requester?.Refuse("a restart from a failed start is in flight; ask again once it ends");
            return;
        }
        var info = pending.Info;
        if (inFlight.Escalate(request.Ask.Force == true, request.Ask.WaitMs) is { } escalated)
        {
            LifecycleLog.RestartEscalated(logger, request.Source, escalated);
            info = info with { Escalated = escalated };
        }
        Decide(request, inFlight.Preflight, options, info);
    }

    /// <summary>
    /// Decides on the work active now and answers a request that starts no restart. Null (and a
    /// refusal) when the work cannot be counted: the gateway keeps serving rather than restart blind.
    /// </summary>
    private RestartDecision? Decide(RunLoopCommand.RestartRequested request, Func<PreflightResult?> preflight, RestartOptions options, RestartInfo? inFlight,
        GenerationInfo? serving = null)
    {
        PreflightResult? counted;
        try
        {
            counted = preflight();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LifecycleLog.RestartRefused(logger, request.Source, e.Message);
            request.Requester?.Refuse($"no restart: counting the active work failed ({e.Message}); the gateway keeps serving");
            return null;
        }
        if (counted is null)
        {
            request.Requester?.Refuse();
            return null;
        }
        var decision = coordinator.Decide(request.Ask, counted, options, inFlight, serving);
        if (decision.Plan is null)
        {
            if (decision.Info.SatisfiedBy is { } newer)
            {
                LifecycleLog.RestartSatisfied(logger, request.Source, newer.BootId);
            }
            request.Requester?.Decide(decision);
        }
        return decision;
    }
}

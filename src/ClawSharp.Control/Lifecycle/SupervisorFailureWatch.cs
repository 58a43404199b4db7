using ClawSharp.Daemon;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Lifecycle;

/// <summary>What a restart's wait ended with: the new generation's pid, or the supervisor's word that it failed.</summary>
/// <param name="Pid">The new generation, when it became ready.</param>
/// <param name="Failure">Why not, as the supervisor recorded it, when it gave up or went into a backoff.</param>
/// <param name="Refusal">Why the gateway refused the restart before it began (<c>restart-refused.json</c>): it keeps serving.</param>
internal sealed record RestartWaitOutcome(int? Pid, string? Failure, string? Refusal = null);

/// <summary>
/// A restart's wait for a new generation (<see cref="GatewayReadinessWait.NewGenerationAsync"/>) that
/// also watches daemon.json: once the supervisor records, after the request, that it gave up
/// (<c>failed</c>) or that the new gateway crashed (<c>backoff</c>), waiting on is pointless, and
/// the CLI says so at once with the supervisor's reason instead of running out its budget.
/// </summary>
internal static class SupervisorFailureWatch
{
    /// <summary>The supervisor's failure recorded after <paramref name="since"/>, or null. Pure over the daemon state read.</summary>
    public static string? FailureSince(DaemonState? daemon, DateTimeOffset since) => daemon switch
    {
        { State: DaemonPhase.Failed } failed when failed.UpdatedAt >= since =>
            $"{failed.FailureReason ?? "the supervisor gave up"} (last exit: {failed.LastExit?.Description ?? "none"})",
        { State: DaemonPhase.Backoff, LastExit: { } exit } backoff when exit.At >= since =>
            $"the gateway crashed at start ({exit.Description}); the supervisor starts it again " +
            (backoff.NextStartAt is { } next ? $"at {Status.GatewayStatusDecision.Local(next)}" : "after a backoff") +
            "; 'clawsharp gateway status' follows it, 'clawsharp gateway logs' says why",
        _ => null,
    };

    /// <summary>
    /// Waits for a ready gateway whose boot id is not <paramref name="bootBefore"/> (or whose
    /// generation started after <paramref name="requestedAt"/>), for a supervisor failure recorded
    /// after <paramref name="since"/>, or for a refusal by the signalled gateway <paramref name="signalledPid"/>.
    /// </summary>
    public static async Task<RestartWaitOutcome> NewGenerationAsync(StateDirectory state, string? bootBefore, DateTimeOffset since, TimeProvider time,
        CancellationToken cancellationToken, DateTimeOffset? requestedAt = null, int? signalledPid = null)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ready = GatewayReadinessWait.NewGenerationAsync(state, bootBefore, time, either.Token, requestedAt);
        var failed = WatchAsync(state, since, signalledPid, time, either.Token);
        var first = await Task.WhenAny(ready, failed).ConfigureAwait(false);
        await either.CancelAsync().ConfigureAwait(false);
        if (first == failed && failed.IsCompletedSuccessfully)
        {
            return failed.Result;
        }
        try
        {
            return new RestartWaitOutcome(await ready.ConfigureAwait(false), null);
        }
        finally
        {
            try
            {
                await failed.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static async Task<RestartWaitOutcome> WatchAsync(StateDirectory state, DateTimeOffset since, int? signalledPid, TimeProvider time,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            if (signalledPid is { } pid && Gateway.Restart.RestartRefusalStore.Read(state, pid, since) is { } refusal)
            {
                return new RestartWaitOutcome(null, null, refusal.Reason);
            }
            var daemon = DaemonStateFile.Read(state) is DaemonStateRead.Found found ? found.State : null;
            if (FailureSince(daemon, since) is { } failure)
            {
                return new RestartWaitOutcome(null, failure);
            }
            await Task.Delay(GatewayReadinessWait.Poll, time, cancellationToken).ConfigureAwait(false);
        }
    }
}

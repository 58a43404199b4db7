using System.Diagnostics;
using ClawSharp.Control.Client;
using ClawSharp.Control.Managers;
using ClawSharp.Daemon;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Restart;

namespace ClawSharp.Control.Lifecycle;

/// <summary>
/// <c>gateway restart</c> without <c>--safe</c>. With a verified gateway in the lock, order: read
/// its boot id; write the restart intent (force, drain cap); hang up; SIGUSR1 the gateway (it
/// picks the restart mode: under a supervisor it exits 75, alone it respawns or restarts in
/// process); wait for a ready gateway with another boot id. With none, the manager is woken
/// (<see cref="IGatewayManager.Wake"/>: a supervisor in backoff starts it now). The whole request
/// runs within <see cref="RestartRequest.Budget"/>.
/// </summary>
internal static class GatewayRestarter
{

    public static async Task<RestartResult> RestartAsync(RestartRequest request, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (request.Budget != Timeout.InfiniteTimeSpan)
        {
            limit.CancelAfter(request.Budget);
        }
        var state = request.State;
        var owner = GatewayLock.ReadOwner(state.LockFile);
        if (owner is null || ProcessIdentity.Check(owner.Pid, owner.StartTime) != ProcessMatch.Same)
        {
            var snapshot = DaemonSnapshot.Take(state);
            if (!GatewayManagers.For(snapshot).Wake(snapshot))
            {
                return new RestartResult.Failed($"no gateway is running for {state.Root}; start one with 'clawsharp gateway start --home {state.Root}'");
            }
            try
            {
                var woken = await GatewayReadinessWait.NewGenerationAsync(state, null, time, limit.Token).ConfigureAwait(false);
                return new RestartResult.Restarted(woken, Stopwatch.GetElapsedTime(started));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new RestartResult.Failed("the supervisor was asked to start the gateway now, but it is not ready yet; see 'clawsharp gateway status'");
            }
        }
        var requestedAt = OperatorRequest.At;
        try
        {
            string bootBefore;
            await using (var client = await GatewayClient.ConnectAsync(request.Target(), limit.Token).ConfigureAwait(false))
            {
                var status = await client.StatusAsync(limit.Token).ConfigureAwait(false);
                if (status.StartedAt > requestedAt && request.CallerWork is null)
                {
                    // Another requester's restart happened after this one was asked: it is satisfied, and a second restart would be one too many.
                    return new RestartResult.AlreadyRestarted(status.Pid, status.StartedAt);
                }
                bootBefore = status.BootId;
                RestartIntentStore.Write(state, new RestartIntent("gateway-restart", owner.Pid, Environment.ProcessId,
                    time.GetUtcNow().ToUnixTimeMilliseconds(), request.Force ? "clawsharp gateway restart --force" : "clawsharp gateway restart",
                    request.Force ? true : null, request.Wait is { } w ? (long)w.TotalMilliseconds : null, requestedAt.ToUnixTimeMilliseconds()));
                // Hang up first (the end of this block): the gateway closes every connection on restart, and waits for each to answer.
            }
            var signalledAt = time.GetUtcNow();
            Posix.Kill(owner.Pid, Posix.SIGUSR1);
            if (request.CallerWork is { } work)
            {
                return new RestartResult.RequestedFromInside(work);
            }
            // The gateway refuses a restart whose next start would fail (it checks with the flags it was started with) and says so in restart-refused.json.
            using var refused = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
            var restarted = GatewayReadinessWait.NewGenerationAsync(state, bootBefore, time, refused.Token, requestedAt);
            while (await Task.WhenAny(restarted, Task.Delay(GatewayReadinessWait.Poll, time, limit.Token)).ConfigureAwait(false) != restarted)
            {
                if (RestartRefusalStore.Read(state, owner.Pid, signalledAt) is { } refusal)
                {
                    await refused.CancelAsync().ConfigureAwait(false);
                    return new RestartResult.Refused($"the next start would fail: {refusal.Reason}; the gateway keeps serving (pid {owner.Pid}). Fix it, then restart");
                }
            }
            return new RestartResult.Restarted(await restarted.ConfigureAwait(false), Stopwatch.GetElapsedTime(started));
        }
        catch (GatewayCallException e) when (e.GatewayWentAway && GatewayControl.IsComingBack(state))
        {
            // The gateway is closing for another requester's restart: that restart satisfies this request.
            try
            {
                var pid = await GatewayReadinessWait.NewGenerationAsync(state, null, time, limit.Token, requestedAt).ConfigureAwait(false);
                return new RestartResult.Restarted(pid, Stopwatch.GetElapsedTime(started));
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return new RestartResult.TimedOut(request.Budget);
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new RestartResult.TimedOut(request.Budget);
        }
    }
}

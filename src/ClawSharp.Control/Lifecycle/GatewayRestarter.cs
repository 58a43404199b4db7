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
/// process); wait for a ready gateway with another boot id, or for the supervisor to record a failure
/// (<see cref="SupervisorFailureWatch"/>: failed, or a backoff after the signal). With none, the manager is woken
/// (<see cref="IGatewayManager.Wake"/>: a supervisor in backoff starts it now). The whole request
/// runs within <see cref="RestartRequest.Budget"/>.
/// </summary>
internal static class GatewayRestarter
{

    public static async Task<RestartResult> RestartAsync(RestartRequest request, TimeProvider time, CancellationToken cancellationToken)
    {
        var requestStarted = Stopwatch.GetTimestamp();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (request.Budget != Timeout.InfiniteTimeSpan)
        {
            limit.CancelAfter(request.Budget);
        }
        var state = request.State;
        var owner = GatewayLock.ReadOwner(state.LockFile);
        if (owner is not null && ProcessIdentity.Check(owner.Pid, owner.StartTime) == ProcessMatch.Same && !LockHolders.MayHold(owner.Pid, state.LockFile))
        {
            return new RestartResult.Failed(DaemonSnapshot.ForeignLockOwnerMessage(state, owner.Pid));
        }
        if (owner is null && DaemonSnapshot.IsHeldButUnreadable(state))
        {
            return new RestartResult.Failed(DaemonSnapshot.UnreadableLockMessage(state));
        }
        if (owner is null || ProcessIdentity.Check(owner.Pid, owner.StartTime) != ProcessMatch.Same)
        {
            if (Services.ServiceRecordStore.Read(state) is { } service)
            {
                // Down under a service manager (crashed and waiting, or given up): the manager starts it, never this CLI.
                var start = await Services.ServiceGateway.StartAsync(service, state, request.Budget == Timeout.InfiniteTimeSpan ? TimeSpan.FromSeconds(60) : request.Budget,
                    limit.Token).ConfigureAwait(false);
                return start is StartResult.Started started ? new RestartResult.Restarted(started.GatewayPid, Stopwatch.GetElapsedTime(requestStarted))
                    : new RestartResult.Failed($"restart failed: {Describe(start)}");
            }
            var snapshot = DaemonSnapshot.Take(state);
            var wokenAt = time.GetUtcNow();
            if (!GatewayManagers.For(snapshot).Wake(snapshot))
            {
                return new RestartResult.Failed($"no gateway is running for {state.Root}; start one with 'clawsharp gateway start --home {state.Root}'");
            }
            try
            {
                var woken = await SupervisorFailureWatch.NewGenerationAsync(state, null, wokenAt, time, limit.Token).ConfigureAwait(false);
                return woken.Failure is { } failure ? new RestartResult.Failed($"restart failed: {failure}")
                    : new RestartResult.Restarted(woken.Pid!.Value, Stopwatch.GetElapsedTime(requestStarted));
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
                    time.GetUtcNow().ToUnixTimeMilliseconds(), request.Reason ?? (request.Force ? "clawsharp gateway restart --force" : "clawsharp gateway restart"),
                    request.Force ? true : null, request.Wait is { } w ? (long)w.TotalMilliseconds : null, requestedAt.ToUnixTimeMilliseconds()));
                // Hang up first (the end of this block): the gateway closes every connection on restart, and waits for each to answer.
            }
            var signalled = time.GetUtcNow();
            Posix.Kill(owner.Pid, Posix.SIGUSR1);
            if (request.CallerWork is { } work)
            {
                return new RestartResult.RequestedFromInside(work);
            }
            // Ends early when the gateway refuses (its next start would fail: restart-refused.json) or the supervisor records a failure after the signal (a crash at start).
            var waited = await SupervisorFailureWatch.NewGenerationAsync(state, bootBefore, signalled, time, limit.Token, requestedAt, owner.Pid).ConfigureAwait(false);
            return waited switch
            {
                { Refusal: { } refusal } => new RestartResult.Refused($"the next start would fail: {refusal}; the gateway keeps serving (pid {owner.Pid}). Fix it, then restart"),
                { Failure: { } failed } => new RestartResult.Failed($"restart failed: {failed}"),
                _ => new RestartResult.Restarted(waited.Pid!.Value, Stopwatch.GetElapsedTime(requestStarted)),
            };
        }
        catch (GatewayCallException e) when (e.MayBeRestarting && GatewayControl.IsComingBack(state))
        {
            // The gateway is closing for another requester's restart: that restart satisfies this request.
            try
            {
                var pid = await GatewayReadinessWait.NewGenerationAsync(state, null, time, limit.Token, requestedAt).ConfigureAwait(false);
                return new RestartResult.Restarted(pid, Stopwatch.GetElapsedTime(requestStarted));
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

    private static string Describe(StartResult result) => result switch
    {
        StartResult.Failed failed => failed.Message,
        StartResult.AlreadyRunning running => running.Message,
        StartResult.OwnerUnresponsive unresponsive => unresponsive.Message,
        _ => result.ToString(),
    };
}

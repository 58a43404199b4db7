using ClawSharp.Control.Client;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.Lifecycle;

/// <summary>
/// The one definition of "ready" the control commands wait for: <c>gateway.lock</c> names the
/// (verified) gateway pid and it answers <c>/readyz</c> 200 (<see cref="GatewayReadiness"/>, shared
/// with the supervisor and the fresh-PID respawn); after a restart, also a boot id other than
/// the one seen before it.
/// </summary>
internal static class GatewayReadinessWait
{
    /// <summary>How often the state directory and <c>/readyz</c> are asked.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Waits until a gateway is ready whose boot id is not <paramref name="bootBefore"/> (any, when
    /// null), or whose generation started after <paramref name="requestedAt"/>; returns its pid.
    /// Cancel <paramref name="cancellationToken"/> to give up.
    /// </summary>
    public static async Task<int> NewGenerationAsync(StateDirectory state, string? bootBefore, TimeProvider time, CancellationToken cancellationToken,
        DateTimeOffset? requestedAt = null)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Read each time: the lock is empty for a moment between two generations.
            if (GatewayLock.ReadOwner(state.LockFile) is { } owner && ProcessIdentity.Check(owner.Pid, owner.StartTime) == ProcessMatch.Same
                && await GatewayReadiness.ReadyPortAsync(state, owner.Pid, cancellationToken).ConfigureAwait(false) is not null)
            {
                try
                {
                    await using var probe = await GatewayClient.ConnectAsync(GatewayTarget.Resolve(state, null, null, null), cancellationToken).ConfigureAwait(false);
                    var status = await probe.StatusAsync(cancellationToken).ConfigureAwait(false);
                    if (status.BootId != bootBefore || (requestedAt is { } asked && status.StartedAt > asked))
                    {
                        return status.Pid;
                    }
                }
                catch (GatewayCallException)
                {
                    // Closing for the restart just now: ask again.
                }
            }
            await Task.Delay(Poll, time, cancellationToken).ConfigureAwait(false);
        }
    }
}

using System.Diagnostics;
using ClawSharp.Control.Client;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Lifecycle;

/// <summary>
/// <c>gateway restart --safe</c>: the gateway decides (<c>gateway.restart.request</c>): at once
/// when idle, else once active work drains. <see cref="FollowAsync"/> watches the drain and then
/// waits for the next generation.
/// </summary>
internal static class SafeRestarter
{
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(200);

    public static async Task<SafeRestartResult> RequestAsync(GatewayClient client, bool skipDeferral, CancellationToken cancellationToken)
    {
        var bootBefore = (await client.StatusAsync(cancellationToken).ConfigureAwait(false)).BootId;
        var result = await client.RequestRestartAsync("clawsharp gateway restart --safe", skipDeferral, OperatorRequest.At, cancellationToken).ConfigureAwait(false);
        var message = result.Status switch
        {
            "scheduled" => "safe restart requested; gateway will restart momentarily",
            "deferred" => "safe restart requested; gateway will restart after active work drains",
            _ when result.Restart.SatisfiedBy is { } newer =>
                $"safe restart request already satisfied: the gateway restarted after it was asked (generation {newer.BootId}, started {newer.StartedAt:O})",
            _ => "safe restart request joined an existing pending gateway restart",
        };
        IReadOnlyList<string> warnings = result.Interruption.SkipDeferralDowngraded
            ? ["--skip-deferral was not honoured: work is active; the restart waits for it to drain"]
            : [];
        return new SafeRestartResult(result.Status, message, result.Preflight, result.Restart, warnings, bootBefore);
    }

    /// <summary>
    /// Tells <paramref name="drain"/> each new preflight summary while the old generation drains;
    /// once it closes the connection, waits for a ready generation with another boot id. Returns
    /// its pid and the time from the close to ready.
    /// </summary>
    public static async Task<(int Pid, TimeSpan Back)> FollowAsync(GatewayClient client, StateDirectory state, string bootBefore, Action<string> drain,
        TimeProvider time, CancellationToken cancellationToken)
    {
        string? last = null;
        try
        {
            while (true)
            {
                var summary = (await client.PreflightAsync(cancellationToken).ConfigureAwait(false)).Summary;
                if (summary != last)
                {
                    drain(summary);
                    last = summary;
                }
                await Task.Delay(DrainPoll, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (GatewayCallException)
        {
            // The old generation closed the connection: the restart has begun.
        }
        var closed = Stopwatch.GetTimestamp();
        var pid = await GatewayReadinessWait.NewGenerationAsync(state, bootBefore, time, cancellationToken).ConfigureAwait(false);
        return (pid, Stopwatch.GetElapsedTime(closed));
    }
}

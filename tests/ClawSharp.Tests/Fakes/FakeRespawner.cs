using ClawSharp.Gateway.Respawn;

namespace ClawSharp.Tests.Fakes;

/// <summary>A respawn that answers what the test says, at once, and records each call.</summary>
internal sealed class FakeRespawner(Transcript transcript) : IRespawner
{
    public RespawnResult Result { get; set; } = new RespawnResult.Failed(RespawnFailure.SpawnFailed, null, "fake: no spawn");

    public int RespawnCount { get; private set; }

    /// <summary>The next respawn waits for a stop (its cancellation) and then reports it cancelled, as a child that is never ready would.</summary>
    public bool HoldNext { get; set; }

    public async Task<RespawnResult> RespawnAsync(TimeSpan readyTimeout, bool update, bool asSupervisor, CancellationToken cancellationToken)
    {
        RespawnCount++;
        transcript.Add("Respawn");
        if (HoldNext)
        {
            HoldNext = false;
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                transcript.Add("RespawnCancelled");
                return new RespawnResult.Failed(RespawnFailure.Cancelled, 4242, "fake: cancelled");
            }
        }
        return Result;
    }

    public Task StopChildAsync(int childPid, TimeSpan budget)
    {
        transcript.Add($"StopChild {childPid}");
        return Task.CompletedTask;
    }
}

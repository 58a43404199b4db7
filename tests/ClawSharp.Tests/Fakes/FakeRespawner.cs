using ClawSharp.Gateway.Respawn;

namespace ClawSharp.Tests.Fakes;

/// <summary>A respawn that answers what the test says, at once, and records each call.</summary>
internal sealed class FakeRespawner(Transcript transcript) : IRespawner
{
    public RespawnResult Result { get; set; } = new RespawnResult.Failed(RespawnFailure.SpawnFailed, null, "fake: no spawn");

    public int RespawnCount { get; private set; }

    public Task<RespawnResult> RespawnAsync(TimeSpan readyTimeout, bool update, CancellationToken cancellationToken)
    {
        RespawnCount++;
        transcript.Add("Respawn");
        return Task.FromResult(Result);
    }

    public Task StopChildAsync(int childPid, TimeSpan budget)
    {
        transcript.Add($"StopChild {childPid}");
        return Task.CompletedTask;
    }
}

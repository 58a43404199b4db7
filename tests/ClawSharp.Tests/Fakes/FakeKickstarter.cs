using ClawSharp.Gateway.Respawn;

namespace ClawSharp.Tests.Fakes;

/// <summary>A <c>launchctl kickstart -k</c> that answers what the test says, at once, and records each call.</summary>
internal sealed class FakeKickstarter(Transcript transcript) : ILaunchdKickstarter
{
    public KickstartResult Result { get; set; } = new(true, "gui/501/ai.clawsharp.gateway.test", "");

    public int KickstartCount { get; private set; }

    /// <summary>The next kickstart waits until it is cancelled (launchd's SIGTERM arriving before launchctl answers).</summary>
    public bool HoldNext { get; set; }

    public async Task<KickstartResult> KickstartAsync(CancellationToken cancellationToken)
    {
        KickstartCount++;
        transcript.Add("Kickstart");
        if (HoldNext)
        {
            HoldNext = false;
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
        return Result;
    }
}

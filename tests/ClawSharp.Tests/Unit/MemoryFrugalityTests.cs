using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.Unit;

/// <summary>The pieces that keep the gateway's RSS down (issue 18): the secret comparison and random bytes that need no OpenSSL, and the trim after a burst.</summary>
public sealed class MemoryFrugalityTests
{
    [Theory]
    [InlineData("owner-token", "owner-token", true)]
    [InlineData("owner-token", "owner-tokeN", false)]
    [InlineData("owner-token", "owner-token-and-more", false)]
    [InlineData("owner-token", "owner-tok", false)]
    [InlineData("abc", "abcabc", false)] // the secret repeated: the cyclic walk must not match it
    [InlineData("owner-token", "", false)]
    [InlineData("", "", false)]
    public void SecretMatch_IsEqualityOfBytes_AndNothingElse(string secret, string presented, bool equal) =>
        Assert.Equal(equal, SecretMatch.Equal(System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(presented)));

    [Fact]
    public void SecureRandom_FillsEveryByte_AndDiffersEachTime()
    {
        var hex = Enumerable.Range(0, 64).Select(_ => SecureRandom.Hex(16)).ToList();
        Assert.All(hex, h => Assert.Matches("^[0-9a-f]{32}$", h));
        Assert.Equal(hex.Count, hex.Distinct().Count());
        // Every byte position is written: over 64 draws no position stays zero.
        var big = new byte[4096];
        SecureRandom.Fill(big);
        Assert.True(big.Count(b => b == 0) < 64, "far more zero bytes than chance gives");
    }

    [Fact]
    public void Trimmer_TrimsOnceAfterABurstWhenQuiet_NeverUnderSteadyLoad()
    {
        long allocated = 0;
        var time = new FakeTimeProvider();
        using var trimmer = new IdleMemoryTrimmer(time, NullLogger.Instance, () => allocated);

        allocated += IdleMemoryTrimmer.QuietBytes / 2;
        Assert.False(trimmer.Check()); // idle: nothing to give back

        for (var i = 0; i < 5; i++)
        {
            allocated += IdleMemoryTrimmer.BurstBytes; // a steady load: never interrupted
            Assert.False(trimmer.Check());
        }
        Assert.True(trimmer.Check()); // quiet after the burst: trimmed
        Assert.False(trimmer.Check()); // once per burst
        allocated += IdleMemoryTrimmer.QuietBytes / 2;
        Assert.False(trimmer.Check());
    }
}

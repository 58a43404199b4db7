using ClawSharp.Daemon;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Tests.Unit;

public sealed class CrashPolicyTests
{
    private static readonly DaemonOptions Defaults = new();
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, AfterExit.Stop)]
    [InlineData(75, AfterExit.RestartNow)]
    [InlineData(78, AfterExit.GiveUp)]
    [InlineData(1, AfterExit.RestartAfterBackoff)]
    [InlineData(137, AfterExit.RestartAfterBackoff)]
    public void ExitCodes_FollowTheContract(int code, AfterExit expected) =>
        Assert.Equal(expected, new CrashPolicy().Decide(code, T0, Defaults).Action);

    [Fact]
    public void RequestedRestarts_AreNotCrashes_AndNeverHitTheLimit()
    {
        var policy = new CrashPolicy();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(AfterExit.RestartNow, policy.Decide(75, T0.AddSeconds(i), Defaults).Action);
        }
        Assert.Equal(0, policy.RecentCrashes);
    }

    [Fact]
    public void Backoff_Doubles_FromOneSecond_AndTheFourthCrashInFiveMinutes_GivesUp()
    {
        var policy = new CrashPolicy();
        var delays = Enumerable.Range(0, 3).Select(i => policy.Decide(1, T0.AddSeconds(i), Defaults)).ToList();

        Assert.All(delays, d => Assert.Equal(AfterExit.RestartAfterBackoff, d.Action));
        Assert.Equal([1, 2, 4], delays.Select(d => d.Delay.TotalSeconds));
        var fourth = policy.Decide(1, T0.AddSeconds(10), Defaults);
        Assert.Equal(AfterExit.GiveUp, fourth.Action);
        Assert.StartsWith("4 crashes within 5 min (limit 3)", fourth.Reason);
    }

    [Fact]
    public void CrashesOlderThanTheWindow_NoLongerCount()
    {
        var policy = new CrashPolicy();
        for (var i = 0; i < 3; i++)
        {
            policy.Decide(1, T0.AddSeconds(i), Defaults);
        }

        var later = policy.Decide(1, T0.AddMinutes(6), Defaults);

        Assert.Equal(AfterExit.RestartAfterBackoff, later.Action);
        Assert.Equal(TimeSpan.FromSeconds(1), later.Delay);
        Assert.Equal(1, policy.RecentCrashes);
    }

    [Fact]
    public void Backoff_IsCapped()
    {
        var options = new DaemonOptions { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(5), CrashLimit = 100 };
        Assert.Equal(TimeSpan.FromSeconds(5), CrashPolicy.Backoff(4, options));
        Assert.Equal(TimeSpan.FromSeconds(5), CrashPolicy.Backoff(90, options));
        Assert.Equal(TimeSpan.FromSeconds(4), CrashPolicy.Backoff(3, options));
    }

    [Fact]
    public void ACrashLimitOfZero_GivesUpAtTheFirstCrash() =>
        Assert.Equal(AfterExit.GiveUp, new CrashPolicy().Decide(1, T0, new DaemonOptions { CrashLimit = 0 }).Action);

    [Theory]
    [InlineData(137, 9, "signal 9 (SIGKILL)")]
    [InlineData(143, 15, "signal 15 (SIGTERM)")]
    [InlineData(1, null, "exit 1 (failure)")]
    [InlineData(75, null, "exit 75 (restart requested)")]
    [InlineData(42, null, "exit 42")]
    public void Exits_AreDescribedForPeople(int code, int? signal, string description)
    {
        var exit = CrashPolicy.DescribeExit(code, T0);
        Assert.Equal(signal, exit.Signal);
        Assert.Equal(description, exit.Description);
    }
}

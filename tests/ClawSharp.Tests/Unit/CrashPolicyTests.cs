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
        Assert.Equal(expected, CrashPolicy.Decide(code, [], T0, Defaults).Action);

    [Fact]
    public void RequestedRestarts_AreNotCrashes_AndNeverHitTheLimit()
    {
        IReadOnlyList<DateTimeOffset> history = [];
        for (var i = 0; i < 20; i++)
        {
            var decision = CrashPolicy.Decide(75, history, T0.AddSeconds(i), Defaults);
            Assert.Equal(AfterExit.RestartNow, decision.Action);
            history = decision.Crashes;
        }
        Assert.Empty(history);
    }

    [Fact]
    public void Backoff_Doubles_FromOneSecond_AndTheFourthCrashInFiveMinutes_GivesUp()
    {
        IReadOnlyList<DateTimeOffset> history = [];
        var delays = new List<SupervisorDecision>();
        for (var i = 0; i < 3; i++)
        {
            delays.Add(CrashPolicy.Decide(1, history, T0.AddSeconds(i), Defaults));
            history = delays[^1].Crashes;
        }

        Assert.All(delays, d => Assert.Equal(AfterExit.RestartAfterBackoff, d.Action));
        Assert.Equal([1, 2, 4], delays.Select(d => d.Delay.TotalSeconds));
        var fourth = CrashPolicy.Decide(1, history, T0.AddSeconds(10), Defaults);
        Assert.Equal(AfterExit.GiveUp, fourth.Action);
        Assert.StartsWith("4 crashes within 5 min (limit 3)", fourth.Reason);
    }

    [Fact]
    public void AHistoryFromAnEarlierSupervisor_Counts_SoTheLimitHoldsAcrossSupervisorDeaths()
    {
        // Two crashes under a supervisor that was then killed; the next one started at T0 + 5 s.
        IReadOnlyList<DateTimeOffset> inherited = [T0, T0.AddSeconds(2)];
        var started = T0.AddSeconds(5);

        var third = CrashPolicy.Decide(137, inherited, T0.AddSeconds(7), Defaults, supervisorStartedAt: started);
        var fourth = CrashPolicy.Decide(137, third.Crashes, T0.AddSeconds(9), Defaults, supervisorStartedAt: started);

        Assert.Equal((AfterExit.RestartAfterBackoff, TimeSpan.FromSeconds(4)), (third.Action, third.Delay));
        Assert.Equal("crash 3 within 5 min, 2 of them before this supervisor started; restarting in 4 s", third.Reason);
        Assert.Equal(AfterExit.GiveUp, fourth.Action);
        Assert.StartsWith("4 crashes within 5 min (limit 3, 2 of them before this supervisor started); not restarting", fourth.Reason);
        Assert.Equal([T0, T0.AddSeconds(2), T0.AddSeconds(7), T0.AddSeconds(9)], fourth.Crashes);
    }

    [Fact]
    public void CrashesOlderThanTheWindow_NoLongerCount()
    {
        IReadOnlyList<DateTimeOffset> history = [T0, T0.AddSeconds(1), T0.AddSeconds(2)];

        var later = CrashPolicy.Decide(1, history, T0.AddMinutes(6), Defaults);

        Assert.Equal(AfterExit.RestartAfterBackoff, later.Action);
        Assert.Equal(TimeSpan.FromSeconds(1), later.Delay);
        Assert.Equal([T0.AddMinutes(6)], later.Crashes);
    }

    [Fact]
    public void CrashTimesInTheFuture_AreIgnored_AndTheHistoryIsBounded()
    {
        var options = new DaemonOptions { CrashLimit = 1000, CrashWindow = TimeSpan.FromDays(1) };
        var many = Enumerable.Range(0, 2000).Select(i => T0.AddSeconds(i)).Append(T0.AddYears(1)).ToList();

        var decision = CrashPolicy.Decide(1, many, T0.AddHours(1), options);

        Assert.Equal(CrashPolicy.KeptCrashes, decision.Crashes.Count);
        Assert.Equal(T0.AddHours(1), decision.Crashes[^1]);
        Assert.Equal(AfterExit.GiveUp, decision.Action);
    }

    [Fact]
    public void AnExit78_WithAConfigProblem_NamesTheKeyAndTheFile()
    {
        var decision = CrashPolicy.Decide(78, [], T0, Defaults, "config invalid at daemon.crashLimit (/h/config.json): daemon.crashLimit must be …");

        Assert.Equal(AfterExit.GiveUp, decision.Action);
        Assert.StartsWith("config invalid at daemon.crashLimit (/h/config.json)", decision.Reason);
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
        Assert.Equal(AfterExit.GiveUp, CrashPolicy.Decide(1, [], T0, new DaemonOptions { CrashLimit = 0 }).Action);

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

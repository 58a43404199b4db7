using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.ServiceManagers;
using ClawSharp.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.Unit;

/// <summary>The stop drain's EXTEND_TIMEOUT_USEC pings, on a scripted clock, second by second.</summary>
public sealed class StopTimeoutExtenderTests
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(8);

    [Fact]
    public void AfterHalfTheStopTimeout_ExtendsByHalfEveryQuarter_UntilTheDrainOverrunsItsBudget()
    {
        var (time, notifier) = (new FakeTimeProvider(), new FakeSystemdNotifier());
        using var extender = StopTimeoutExtender.Start(StopTimeout, TimeSpan.FromSeconds(10), new SystemdNotifications(notifier), time);

        var heard = Step(time, notifier, seconds: 13);

        // Seconds 4, 6 and 8 are past half the stop timeout and within the 10 s budget; from 10 s on, the drain has overrun it.
        Assert.Equal([(4, 1), (6, 2), (8, 3)], heard);
        Assert.Equal(["EXTEND_TIMEOUT_USEC=4000000", "EXTEND_TIMEOUT_USEC=4000000", "EXTEND_TIMEOUT_USEC=4000000"], notifier.Lines);
    }

    [Fact]
    public void ADrainThatEnds_StopsTheExtensions()
    {
        var (time, notifier) = (new FakeTimeProvider(), new FakeSystemdNotifier());
        var extender = StopTimeoutExtender.Start(StopTimeout, TimeSpan.FromMinutes(5), new SystemdNotifications(notifier), time);
        Step(time, notifier, seconds: 5);

        extender.Dispose();

        Assert.Empty(Step(time, notifier, seconds: 20));
        Assert.Equal(1, notifier.NotifyCount);
    }

    [Fact]
    public void ADrainShorterThanHalfTheStopTimeout_NeverExtends()
    {
        var (time, notifier) = (new FakeTimeProvider(), new FakeSystemdNotifier());
        using var extender = StopTimeoutExtender.Start(StopTimeout, TimeSpan.FromSeconds(3), new SystemdNotifications(notifier), time);

        Assert.Empty(Step(time, notifier, seconds: 20));
    }

    [Fact]
    public void WithoutAStopTimeout_NothingIsSent()
    {
        var (time, notifier) = (new FakeTimeProvider(), new FakeSystemdNotifier());
        using var extender = StopTimeoutExtender.Start(null, TimeSpan.FromSeconds(30), new SystemdNotifications(notifier), time);

        Assert.Empty(Step(time, notifier, seconds: 20));
    }

    /// <summary>Advances the clock one second at a time; returns (second, total notifications) whenever the total changed.</summary>
    private static List<(int Second, int Count)> Step(FakeTimeProvider time, FakeSystemdNotifier notifier, int seconds)
    {
        var heard = new List<(int, int)>();
        var last = notifier.NotifyCount;
        for (var second = 1; second <= seconds; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            if (notifier.NotifyCount != last)
            {
                last = notifier.NotifyCount;
                heard.Add((second, last));
            }
        }
        return heard;
    }
}

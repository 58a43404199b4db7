using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.Restart;
using ClawSharp.Gateway.ServiceManagers;
using ClawSharp.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.Unit;

public sealed class DrainStatusReporterTests
{
    [Theory]
    [InlineData(2, 0, 1, 0, "draining: 2 runs, 1 reply, 0 tasks")]
    [InlineData(1, 1, 3, 1, "draining: 2 runs, 3 replies, 1 task")]
    [InlineData(0, 0, 0, 2, "draining: 0 runs, 0 replies, 2 tasks")]
    public void StatusOf_CountsRunsRepliesAndTasks(int embeddedRuns, int cronRuns, long replies, int tasks, string expected)
    {
        Assert.Equal(expected, DrainStatusReporter.StatusOf(new PreflightCounts(0, replies, embeddedRuns, cronRuns, tasks, 0)));
    }

    [Fact]
    public void ReportsAtOnce_ThenOnlyWhenTheCountsChange_AtMostOnceASecond_UntilDisposed()
    {
        var (time, notifier) = (new FakeTimeProvider(), new FakeSystemdNotifier());
        var runs = 2;
        var reporter = DrainStatusReporter.Start(() => Preflight(runs), new SystemdNotifications(notifier), time);
        time.Advance(TimeSpan.FromSeconds(1));
        runs = 1;
        time.Advance(TimeSpan.FromMilliseconds(500));
        var halfASecondLater = notifier.Lines.Count;
        time.Advance(TimeSpan.FromMilliseconds(500));
        time.Advance(TimeSpan.FromSeconds(1));
        reporter.Dispose();
        runs = 0;
        time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(1, halfASecondLater);
        Assert.Equal(["STATUS=draining: 2 runs, 0 replies, 0 tasks", "STATUS=draining: 1 run, 0 replies, 0 tasks"], notifier.Lines);
    }

    private static PreflightResult Preflight(int runs) => new(runs == 0, new PreflightCounts(0, 0, runs, 0, 0, runs), [], "");
}

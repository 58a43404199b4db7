using ClawSharp.Control.Lifecycle;
using ClawSharp.Daemon;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

/// <summary>crash-history.json, the unclean-end record and the restart wait's failure check (issue 17).</summary>
public sealed class CrashHistoryStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RoundTrips_AndIsPrivate()
    {
        using var home = new TempHome();

        CrashHistoryStore.Write(home.State, [T0, T0.AddSeconds(3)]);
        var read = CrashHistoryStore.Read(home.State, T0.AddSeconds(10));

        Assert.Equal([T0, T0.AddSeconds(3)], read.Crashes);
        Assert.Null(read.Problem);
        Assert.Equal(AtomicFile.PrivateFileMode, File.GetUnixFileMode(home.State.CrashHistoryFile));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("""{ "schema": 99, "crashes": [] }""")]
    [InlineData("""{ "schema": 1, "crashes": ["yesterday"] }""")]
    [InlineData("null")]
    [InlineData("""{ "schema": 1, "crashes": null }""")]
    public void ACorruptFile_IsReported_AndIgnored_NeverFatal(string content)
    {
        using var home = new TempHome();
        File.WriteAllText(home.State.CrashHistoryFile, content);

        var read = CrashHistoryStore.Read(home.State, T0);

        Assert.Empty(read.Crashes);
        Assert.Contains("crash-history.json", read.Problem);
        Assert.EndsWith("ignored", read.Problem);
    }

    [Fact]
    public void CrashTimesInTheFuture_AreReported_AndDropped()
    {
        using var home = new TempHome();
        CrashHistoryStore.Write(home.State, [T0, T0.AddDays(2)]);

        var read = CrashHistoryStore.Read(home.State, T0.AddSeconds(1));

        Assert.Equal([T0], read.Crashes);
        Assert.Contains("1 crash time(s) in the future", read.Problem);
    }

    [Theory]
    [InlineData(DaemonPhase.Running, true)]
    [InlineData(DaemonPhase.Starting, true)]
    [InlineData(DaemonPhase.Backoff, true)]
    [InlineData(DaemonPhase.Stopped, false)]
    [InlineData(DaemonPhase.Failed, false)]
    internal void ASupervisorThatNeverSaidStoppedOrFailed_EndedUncleanly(DaemonPhase phase, bool unclean)
    {
        var previous = new DaemonState { State = phase, SupervisorPid = 42, GatewayPid = 43, GatewayRssBytes = 5 << 20, UpdatedAt = T0 };

        var end = UncleanEnd.OfLostSupervisor(previous, ["a line"], T0.AddMinutes(1));

        Assert.Equal(unclean, end is not null);
        if (end is not null)
        {
            Assert.Equal(("supervisor", 42, T0, true, (int?)null, (long?)(5 << 20)), (end.Process, end.Pid, end.At, end.LastSeen, end.Signal, end.LastRssBytes));
            Assert.StartsWith("supervisor pid 42 ended without a clean stop while", end.Description);
            Assert.EndsWith("its gateway was pid 43", end.Description);
        }
    }

    [Fact]
    public void AGatewayKilledByASignal_IsAnUncleanEnd_AnExitCodeIsNot()
    {
        var killed = UncleanEnd.OfGateway(7, CrashPolicy.DescribeExit(137, T0), 1024, []);

        Assert.NotNull(killed);
        Assert.Equal("gateway pid 7 killed by signal 9 (SIGKILL)", killed.Description);
        Assert.Null(UncleanEnd.OfGateway(7, CrashPolicy.DescribeExit(1, T0), 1024, []));
    }

    [Fact]
    public void TheRestartWait_StopsOnAFailureOrABackoffRecordedAfterTheRequest_NotBefore()
    {
        var crash = new DaemonExit(1, null, "exit 1 (failure)", T0.AddSeconds(1));
        var failed = new DaemonState { State = DaemonPhase.Failed, SupervisorPid = 1, FailureReason = "config invalid at x.y (/c.json): …", UpdatedAt = T0.AddSeconds(1) };
        var backoff = new DaemonState { State = DaemonPhase.Backoff, SupervisorPid = 1, LastExit = crash, UpdatedAt = T0.AddSeconds(1) };
        var restarting = new DaemonState { State = DaemonPhase.Starting, SupervisorPid = 1, LastExit = crash with { Code = 75 }, UpdatedAt = T0.AddSeconds(1) };

        Assert.StartsWith("config invalid at x.y (/c.json)", SupervisorFailureWatch.FailureSince(failed, T0));
        Assert.StartsWith("the gateway crashed at start (exit 1 (failure))", SupervisorFailureWatch.FailureSince(backoff, T0));
        Assert.Null(SupervisorFailureWatch.FailureSince(restarting, T0));
        Assert.Null(SupervisorFailureWatch.FailureSince(failed, T0.AddSeconds(2)));
        Assert.Null(SupervisorFailureWatch.FailureSince(backoff, T0.AddSeconds(2)));
        Assert.Null(SupervisorFailureWatch.FailureSince(null, T0));
    }

    [Theory]
    [InlineData("Failed", 0)]
    [InlineData("Stopped", 0)]
    [InlineData("Running", 3)]
    [InlineData("Backoff", 3)]
    public void AStartAfterAGiveUpOrAStop_AcknowledgesTheCrashes_AfterAnUncleanEndTheyCount(string phase, int inherited)
    {
        var previous = Enum.Parse<DaemonPhase>(phase);
        using var home = new TempHome();
        CrashHistoryStore.Write(home.State, [T0.AddSeconds(-30), T0.AddSeconds(-20), T0.AddSeconds(-10)]);
        // A supervisor pid that is not running: a state other than stopped or failed then means it died.
        DaemonStateFile.Write(home.State, new DaemonState { State = previous, SupervisorPid = int.MaxValue - 7, UpdatedAt = T0.AddSeconds(-5) });

        var inheritance = SupervisorInheritance.Read(home.State, T0, new SupervisorLog(TimeProvider.System));

        Assert.Equal(inherited, inheritance.Crashes.Count);
    }

    [Theory]
    [InlineData(null, 0, 100, true)]
    [InlineData(100L, 10, 105, false)]
    [InlineData(100L, 10, 111, true)]
    [InlineData(100L, 10, 89, true)]
    [InlineData(100L, 86_400, 100, false)]
    public void GatewayMemory_IsRecordedWhenItMovesByATenth_NeverForAgeAlone(long? recorded, int ageSeconds, long sample, bool worth)
    {
        Assert.Equal(worth, GatewayMemory.WorthRecording(recorded, recorded is null ? null : T0, sample, T0.AddSeconds(ageSeconds)));
    }
}

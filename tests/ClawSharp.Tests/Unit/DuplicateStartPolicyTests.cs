using ClawSharp.Gateway;
using ClawSharp.Gateway.Claim;

namespace ClawSharp.Tests.Unit;

public sealed class DuplicateStartPolicyTests
{
    [Theory]
    // Unsupervised: always 1; an owner that does not answer is reported as such.
    [InlineData(false, 4321, nameof(ReadinessAnswer.Ready), ExitCode.Failure, false)]
    [InlineData(false, 4321, nameof(ReadinessAnswer.NotReady), ExitCode.Failure, false)]
    [InlineData(false, 4321, nameof(ReadinessAnswer.NoAnswer), ExitCode.Failure, true)]
    [InlineData(false, 4321, nameof(ReadinessAnswer.Unknown), ExitCode.Failure, false)]
    // Supervised: 78 beside an owner that answers (ready, or starting / shutting down), else 1 so the supervisor retries with backoff.
    [InlineData(true, 4321, nameof(ReadinessAnswer.Ready), ExitCode.Config, false)]
    [InlineData(true, 4321, nameof(ReadinessAnswer.NotReady), ExitCode.Config, false)]
    [InlineData(true, 4321, nameof(ReadinessAnswer.NoAnswer), ExitCode.Failure, true)]
    [InlineData(true, 4321, nameof(ReadinessAnswer.Unknown), ExitCode.Failure, false)]
    // No known port: nothing was asked, whatever the answer says.
    [InlineData(true, 0, nameof(ReadinessAnswer.Ready), ExitCode.Failure, false)]
    [InlineData(false, 0, nameof(ReadinessAnswer.NoAnswer), ExitCode.Failure, false)]
    public void ASupervisedDuplicateOfAnAnsweringOwner_Exits78_AnOwnerThatDoesNotAnswer_IsReported_AndExits1(bool supervised, int port,
        string answer, ExitCode expected, bool unresponsive)
    {
        // By name: the enum is internal, and a public test method cannot take it.
        Assert.Equal(new DuplicateVerdict(expected, unresponsive), DuplicateStartPolicy.Decide(supervised, port, Enum.Parse<ReadinessAnswer>(answer)));
    }

    [Theory]
    [InlineData(false, 4321, false, false)]
    [InlineData(false, 4321, true, true)]
    [InlineData(true, 4321, false, true)]
    [InlineData(true, 4321, true, true)]
    [InlineData(true, 0, true, false)]
    [InlineData(false, 0, true, false)]
    public void TheLockOwner_OrASupervisedDuplicatesOwner_IsProbed_OnAKnownPort(bool supervised, int port, bool lockOwner, bool probes)
    {
        Assert.Equal(probes, DuplicateStartPolicy.ShouldProbeOwner(supervised, port, lockOwner));
    }

    [Fact]
    public void TheUnresponsiveOwnerMessage_NamesThePid_TheTimeout_AndTheWayOut()
    {
        Assert.Equal("pid 42 holds the lock but does not answer (/readyz timed out after 2 s); stop it, or start with --force to replace it",
            DuplicateStartPolicy.DescribeUnresponsiveOwner(42, DuplicateStartPolicy.OwnerProbeTimeout));
    }

    [Theory]
    [InlineData(true, 1, true)]
    [InlineData(false, 60, true)]
    [InlineData(false, 1, false)]
    public void AnOwnerThatDoesNotAnswer_IsWedgedWhenStoppedOrLongPastItsStart_ElseStillStarting(bool stopped, int lockAgeSeconds, bool wedged)
    {
        var answer = DuplicateStartPolicy.OwnerAnswer(ReadinessAnswer.NoAnswer, stopped, TimeSpan.FromSeconds(lockAgeSeconds));

        Assert.Equal(wedged, answer == ReadinessAnswer.NoAnswer);
        Assert.Equal(ReadinessAnswer.Ready, DuplicateStartPolicy.OwnerAnswer(ReadinessAnswer.Ready, stopped, TimeSpan.FromSeconds(lockAgeSeconds)));
    }

    [Theory]
    [InlineData(null, "gateway already running (pid 42, port 4321)")]
    [InlineData("none", "gateway already running (pid 42, port 4321)")]
    [InlineData("builtin", "gateway already running (pid 42, port 4321, managed by the built-in supervisor)")]
    [InlineData("systemd", "gateway already running (pid 42, port 4321, managed by systemd)")]
    [InlineData("launchd", "gateway already running (pid 42, port 4321, managed by launchd)")]
    [InlineData("windows", "gateway already running (pid 42, port 4321, managed by windows)")]
    public void TheAlreadyRunningMessage_NamesTheManagerTheLockRecords(string? manager, string expected)
    {
        Assert.Equal(expected, DuplicateStartPolicy.DescribeRunningOwner(42, 4321, manager));
    }
}

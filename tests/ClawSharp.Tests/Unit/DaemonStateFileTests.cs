using ClawSharp.Daemon;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

public sealed class DaemonStateFileTests
{
    [Fact]
    public void RoundTrips_WithLowerCaseStates_AndIsPrivate()
    {
        using var home = new TempHome();
        var state = new DaemonState
        {
            State = DaemonPhase.Backoff,
            SupervisorPid = 10,
            SupervisorStartTime = 20,
            RestartCount = 2,
            CrashCount = 2,
            LastExit = new DaemonExit(137, 9, "signal 9 (SIGKILL)", DateTimeOffset.UnixEpoch),
        };

        DaemonStateFile.Write(home.State, state);

        Assert.Contains("\"state\": \"backoff\"", File.ReadAllText(home.State.DaemonStateFile));
        Assert.Equal(AtomicFile.PrivateFileMode, File.GetUnixFileMode(home.State.DaemonStateFile));
        var read = Assert.IsType<DaemonStateRead.Found>(DaemonStateFile.Read(home.State));
        Assert.Equal(state, read.State with { LastLogLines = state.LastLogLines });
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[]")]
    [InlineData("""{ "state": "running" }""")]
    [InlineData("""{ "state": "dancing", "supervisorPid": 5 }""")]
    public void UnusableContent_IsCorrupt_WithTheReason(string content)
    {
        using var home = new TempHome();
        File.WriteAllText(home.State.DaemonStateFile, content);

        var read = Assert.IsType<DaemonStateRead.Corrupt>(DaemonStateFile.Read(home.State));

        Assert.Contains(home.State.DaemonStateFile, read.Problem);
    }

    [Fact]
    public void AMissingFile_IsMissing_AndAnOversizedOne_IsCorrupt()
    {
        using var home = new TempHome();
        Assert.IsType<DaemonStateRead.Missing>(DaemonStateFile.Read(home.State));

        File.WriteAllText(home.State.DaemonStateFile, new string(' ', 300 * 1024));

        Assert.Contains("more than a daemon state file can be", Assert.IsType<DaemonStateRead.Corrupt>(DaemonStateFile.Read(home.State)).Problem);
    }

    [Fact]
    public void SupervisorLock_IsExclusive_AndVisibleWithoutTakingIt()
    {
        using var home = new TempHome();
        using (var held = SupervisorLock.TryAcquire(home.State.SupervisorLockFile))
        {
            Assert.NotNull(held);
            Assert.Null(SupervisorLock.TryAcquire(home.State.SupervisorLockFile));
            Assert.True(SupervisorLock.IsHeld(home.State.SupervisorLockFile));
        }
        Assert.False(SupervisorLock.IsHeld(home.State.SupervisorLockFile));
        using var again = SupervisorLock.TryAcquire(home.State.SupervisorLockFile);
        Assert.NotNull(again);
    }
}

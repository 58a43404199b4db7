using System.Threading.Channels;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.ServiceManagers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.Unit;

public sealed class SupervisorWatchTests
{
    private readonly Channel<RunLoopCommand> commands = Channel.CreateUnbounded<RunLoopCommand>();
    private readonly FakeTimeProvider time = new();

    [Fact]
    public void ASupervisorThatIsNoLongerTheParent_AsksForARestart_ThenAgainOnlyAfterABackoffThatDoubles()
    {
        using var watch = Start(SupervisorKind.Builtin, supervisorPid: Posix.ParentPid() + 100_000, enabled: true);

        time.Advance(SupervisorWatch.Interval * 5);
        var restart = Assert.IsType<RunLoopCommand.RestartRequested>(Assert.Single(Drain()));
        Assert.Equal("the built-in supervisor died", restart.Ask.Reason);

        // Still unsupervised (the request was refused, or fell back in process): asked again 30 s later, then 60 s after that.
        time.Advance(SupervisorWatch.FirstRetry);
        Assert.Single(Drain());
        time.Advance(SupervisorWatch.FirstRetry);
        Assert.Empty(Drain());
        time.Advance(SupervisorWatch.FirstRetry);
        Assert.Single(Drain());
    }

    [Fact]
    public void ASupervisorThatIsStillTheParent_AsksNothing()
    {
        using var watch = Start(SupervisorKind.Builtin, supervisorPid: Posix.ParentPid(), enabled: true);

        time.Advance(SupervisorWatch.Interval * 5);

        Assert.False(commands.Reader.TryRead(out _));
    }

    [Fact]
    public void WithResuperviseOff_ItAsksNothing_UntilItIsOnAgain()
    {
        var enabled = false;
        using var watch = Start(SupervisorKind.Builtin, supervisorPid: Posix.ParentPid() + 100_000, () => enabled);

        time.Advance(SupervisorWatch.Interval * 3);
        Assert.False(commands.Reader.TryRead(out _));

        enabled = true;
        time.Advance(SupervisorWatch.Interval);
        Assert.True(commands.Reader.TryRead(out _));
    }

    [Theory]
    [InlineData(SupervisorKind.None, null)]
    [InlineData(SupervisorKind.Systemd, null)]
    [InlineData(SupervisorKind.Builtin, "1")]
    public void NothingIsWatched_WithoutABuiltinSupervisor_OrWhereNoRestartCouldStartOne(SupervisorKind startedUnder, string? noRespawn)
    {
        Assert.Null(SupervisorWatch.Start(startedUnder, name => name == "CLAWSHARP_NO_RESPAWN" ? noRespawn : null, () => true, commands.Writer, time,
            NullLogger.Instance));
    }

    private List<RunLoopCommand> Drain()
    {
        var read = new List<RunLoopCommand>();
        while (commands.Reader.TryRead(out var command))
        {
            read.Add(command);
        }
        return read;
    }

    private SupervisorWatch Start(SupervisorKind startedUnder, int supervisorPid, bool enabled) => Start(startedUnder, supervisorPid, () => enabled);

    private SupervisorWatch Start(SupervisorKind startedUnder, int supervisorPid, Func<bool> enabled)
    {
        string? Environment(string name) => name switch
        {
            "CLAWSHARP_SUPERVISOR" => "builtin",
            "CLAWSHARP_SUPERVISOR_PID" => supervisorPid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
        return SupervisorWatch.Start(startedUnder, Environment, enabled, commands.Writer, time, NullLogger.Instance)!;
    }
}

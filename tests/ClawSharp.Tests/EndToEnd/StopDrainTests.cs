using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>A stop waits for the active work (shutdown.drainTimeoutMs) before it closes; a second signal or a zero budget cuts it.</summary>
public sealed class StopDrainTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Sigterm_WithASlowExecRun_FinishesTheRunBeforeExitingZero()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "agents": { "default": "exec", "exec": { "command": "sleep 2; echo done", "timeoutMs": 60000 } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var send = CliRun.RunAsync(home, "send", "anything", "--session", "slow", "--wait");
        await Eventually.AssertAsync(async () => await SystemdNotifyTests.ActiveRunsAsync(home) == 1, Deadline, "the run to be active");

        gateway.Signal(Posix.SIGTERM);

        var reply = await send.WaitAsync(Deadline);
        Assert.True(reply.ExitCode == 0, reply.ToString());
        Assert.Equal("done", reply.Stdout.Trim());
        Assert.Equal(0, await gateway.WaitForExitAsync(Deadline));
        var log = gateway.Stdout.Text;
        Assert.Contains("draining for stop", log);
        Assert.True(log.IndexOf("drain complete in", StringComparison.Ordinal) < log.IndexOf("gateway stopped", StringComparison.Ordinal), gateway.AllOutput);
    }

    [Fact]
    public async Task ASecondSigterm_CutsTheStopDrainShort_AndTheRunIsQueuedAgain()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        _ = CliRun.RunAsync(home, "send", "/delay 30000 never in time", "--session", "long");
        await Eventually.AssertAsync(async () => await SystemdNotifyTests.ActiveRunsAsync(home) == 1, Deadline, "the run to be active");
        gateway.Signal(Posix.SIGTERM);
        await gateway.Stdout.WaitForAsync("draining for stop", Deadline);

        var cutAt = DateTime.UtcNow;
        gateway.Signal(Posix.SIGTERM);

        Assert.Equal(0, await gateway.WaitForExitAsync(Deadline));
        Assert.True(DateTime.UtcNow - cutAt < TimeSpan.FromSeconds(8), "the second SIGTERM did not wait for the 10 s drain");
        Assert.Contains("stop: the drain was cut short by SIGTERM", gateway.Stderr.Text);
        await using var next = await GatewayProcess.StartGatewayAsync(home);
        // Cut by the close, the run went back to the queue durably: the next start runs it.
        Assert.Contains("0 failed, 1 run(s) queued", next.Stdout.Text);
    }

    [Fact]
    public async Task ANoughtDrainBudget_CutsTheRunAtOnce()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "shutdown": { "drainTimeoutMs": 0 } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        _ = CliRun.RunAsync(home, "send", "/delay 30000 never in time", "--session", "long");
        await Eventually.AssertAsync(async () => await SystemdNotifyTests.ActiveRunsAsync(home) == 1, Deadline, "the run to be active");

        var stoppedAt = DateTime.UtcNow;
        gateway.Signal(Posix.SIGTERM);

        Assert.Equal(0, await gateway.WaitForExitAsync(Deadline));
        Assert.True(DateTime.UtcNow - stoppedAt < TimeSpan.FromSeconds(8), "a zero drain budget waited anyway");
        Assert.DoesNotContain("draining for stop", gateway.Stdout.Text);
    }
}

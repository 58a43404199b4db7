using System.Net;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// The real gateway talking sd_notify to a socket the test holds (<see cref="FakeNotifySocket"/>),
/// as it would to systemd: CLAWSHARP_SUPERVISOR=systemd, NOTIFY_SOCKET set, no systemd needed.
/// </summary>
public sealed class SystemdNotifyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private const string NoCooldown = """{ "gateway": { "reload": { "cooldownMs": 0 } } }""";

    [Fact]
    public async Task ReadyOnceServing_ARestartIsReloadingThenReadyWithTheSamePid_AndSigtermSaysStopping()
    {
        using var home = new TempHome();
        home.WriteConfig(NoCooldown);
        await using var notify = new FakeNotifySocket();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: notify.Environment());

        var ready = await notify.WaitForAsync("READY=1", Deadline);
        Assert.Equal(HttpStatusCode.OK, await gateway.StatusOfAsync("/readyz"));
        Assert.Equal($"serving on 127.0.0.1:{gateway.Port}", notify.Received[ready].Value("STATUS"));

        gateway.Signal(Posix.SIGUSR1);
        var reloading = await notify.WaitForAsync("RELOADING=1", Deadline, from: ready + 1);
        Assert.NotNull(notify.Received[reloading].Value("MONOTONIC_USEC"));
        var readyAgain = await notify.WaitForAsync("READY=1", Deadline, from: reloading + 1);
        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        Assert.False(gateway.HasExited);
        Assert.Equal(gateway.Pid, gateway.LiveLockOwner?.Pid);
        Assert.Contains(notify.Received.Skip(reloading).Take(readyAgain - reloading), n => n.Value("STATUS") == "restarting");

        gateway.Signal(Posix.SIGTERM);
        await notify.WaitForAsync("STOPPING=1", Deadline, from: readyAgain + 1);
        Assert.Equal(0, await gateway.WaitForExitAsync());
    }

    [Fact]
    public async Task WatchdogPings_ComeRepeatedly_AndStopOnceTheLoopIsWedged()
    {
        using var home = new TempHome();
        await using var notify = new FakeNotifySocket();
        var environment = notify.Environment(new Dictionary<string, string>
        {
            ["WATCHDOG_USEC"] = "400000",
            [GatewayFaults.EnvironmentVariable] = "wedge-loop-when-marked",
        });
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: environment);
        await Eventually.AssertAsync(() => notify.Count("WATCHDOG=1") >= 3, Deadline, "three WATCHDOG=1 pings (one every 200 ms)");

        var marker = home.PathOf(GatewayFaults.WedgeLoopMarker);
        File.WriteAllText(marker, "");
        await Eventually.AssertAsync(() => !File.Exists(marker), Deadline, "the loop to take the wedge marker");
        var pingsWhenWedged = notify.Count("WATCHDOG=1");

        await Steadily.HoldsAsync(() => Task.FromResult(notify.Count("WATCHDOG=1") == pingsWhenWedged), TimeSpan.FromSeconds(1.5),
            "no WATCHDOG=1 once the loop is wedged");
        Assert.False(gateway.HasExited, "a wedged loop leaves the killing to systemd");
        await gateway.Stderr.WaitForAsync("test fault wedge-loop-when-marked", Deadline);
    }

    [Fact]
    public async Task ALongStopDrain_ReportsWhatItWaitsFor_AndExtendsTheStopTimeout_UntilTheRunFinishes()
    {
        using var home = new TempHome();
        await using var notify = new FakeNotifySocket();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home,
            environment: notify.Environment(new Dictionary<string, string> { ["CLAWSHARP_STOP_TIMEOUT_SEC"] = "2" }));
        var send = CliRun.RunAsync(home, "send", "/delay 4000 finished while stopping", "--session", "s", "--wait");
        await Eventually.AssertAsync(async () => await ActiveRunsAsync(home) == 1, Deadline, "the run to be active");

        gateway.Signal(Posix.SIGTERM);
        var stopping = await notify.WaitForAsync("STOPPING=1", Deadline);
        await notify.WaitForAsync("STATUS=draining: 1 run, 0 replies, 0 tasks", Deadline, from: stopping);

        Assert.Equal(0, await gateway.WaitForExitAsync(Deadline));
        var reply = await send.WaitAsync(Deadline);
        Assert.True(reply.ExitCode == 0, reply.ToString());
        Assert.Contains("finished while stopping", reply.Stdout);
        // Half of the 2 s stop timeout, every half second from 1 s into the drain until the run ended (about 4 s).
        var extensions = notify.Received.Where(n => n.Value("EXTEND_TIMEOUT_USEC") is not null).ToList();
        Assert.True(extensions.Count >= 3, $"{extensions.Count} extensions");
        Assert.All(extensions, n => Assert.Equal("1000000", n.Value("EXTEND_TIMEOUT_USEC")));
    }

    [Fact]
    public async Task WithoutAStopTimeout_TheStopDrainSendsNoExtension()
    {
        using var home = new TempHome();
        await using var notify = new FakeNotifySocket();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: notify.Environment());
        _ = CliRun.RunAsync(home, "send", "/delay 2500 done", "--session", "s");
        await Eventually.AssertAsync(async () => await ActiveRunsAsync(home) == 1, Deadline, "the run to be active");

        gateway.Signal(Posix.SIGTERM);

        Assert.Equal(0, await gateway.WaitForExitAsync(Deadline));
        await gateway.Stdout.WaitForAsync("drain complete in", Deadline);
        Assert.DoesNotContain(notify.Received, n => n.Value("EXTEND_TIMEOUT_USEC") is not null);
    }

    internal static async Task<int> ActiveRunsAsync(TempHome home)
    {
        var result = await CliRun.RunAsync(home, "gateway", "preflight", "--json");
        return result.ExitCode == 0
            ? System.Text.Json.JsonDocument.Parse(result.Stdout).RootElement.GetProperty("counts").GetProperty("embeddedRuns").GetInt32()
            : -1;
    }
}

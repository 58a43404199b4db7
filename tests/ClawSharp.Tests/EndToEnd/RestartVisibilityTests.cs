using System.Text.Json;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// While a gateway restarts it may own no lock (or its fresh copy does, not yet ready):
/// status and stop must still find it (restarting.json), never answer "not running".
/// </summary>
public sealed class RestartVisibilityTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DuringARespawn_StatusSaysRestarting_AndStopStopsTheParentAndTheCopy()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "spawnReadyTimeoutMs": 60000 } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home,
            environment: new Dictionary<string, string> { [GatewayFaults.EnvironmentVariable] = "spawned-child-never-ready" });

        gateway.Signal(Posix.SIGUSR1);
        await gateway.Stderr.WaitForAsync("test fault spawned-child-never-ready", Deadline);

        var status = await CliRun.RunAsync(home, "gateway", "status", "--json");
        Assert.Equal(3, status.ExitCode);
        var json = JsonDocument.Parse(status.Stdout).RootElement;
        Assert.Equal("starting", json.GetProperty("status").GetString());
        Assert.Equal(gateway.Pid, json.GetProperty("pid").GetInt32());
        Assert.StartsWith($"Restarting: pid {gateway.Pid}", json.GetProperty("message").GetString());

        var stop = await CliRun.RunAsync(home, "gateway", "stop");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal($"gateway stopped (pid {gateway.Pid})", stop.Stdout.Trim());
        Assert.Equal(0, await gateway.WaitForProcessExitAsync());
        Assert.False(File.Exists(home.State.RestartingFile));
        await Eventually.AssertAsync(() => StrayProcesses.Find(home.Root).Count == 0, Deadline, "the never-ready copy to be killed");
    }

    [Fact]
    public async Task ARestartThatCannotStart_IsReportedFailed_AndStopStillStopsIt()
    {
        using var home = new TempHome();
        // A broken config.json is refused before the restart begins (issue 17); a start that fails past that check is what this tests.
        await using var gateway = await GatewayProcess.StartGatewayAsync(home,
            environment: new Dictionary<string, string> { ["CLAWSHARP_NO_RESPAWN"] = "1", ["CLAWSHARP_TEST_FAULTS"] = "fail-restart-start" });

        gateway.Signal(Posix.SIGUSR1);
        await gateway.Stdout.WaitForAsync("state Starting -> StartFailed", Deadline);

        var status = await CliRun.RunAsync(home, "gateway", "status");
        Assert.Equal(1, status.ExitCode);
        Assert.StartsWith($"Failed: pid {gateway.Pid} is alive but its restart did not start a server (the server did not start", status.Stdout);

        var stop = await CliRun.RunAsync(home, "gateway", "stop");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal(0, await gateway.WaitForProcessExitAsync());
        Assert.False(File.Exists(home.State.RestartingFile));
        Assert.Equal(3, (await CliRun.RunAsync(home, "gateway", "status")).ExitCode);
    }
}

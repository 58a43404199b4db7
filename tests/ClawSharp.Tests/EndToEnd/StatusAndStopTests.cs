using System.Diagnostics;
using System.Text.Json;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

public sealed class StatusAndStopTests
{
    [Fact]
    public async Task Status_TellsRunningFromStopped_WithLsbExitCodes()
    {
        using var home = new TempHome();
        var stopped = await CliRun.RunAsync(home, "gateway", "status");
        Assert.Equal(3, stopped.ExitCode);
        Assert.StartsWith("Stopped (no gateway holds the lock)", stopped.Stdout);

        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var running = await CliRun.RunAsync(home, "gateway", "status", "--json");

        Assert.True(running.ExitCode == 0, running.ToString());
        var json = JsonDocument.Parse(running.Stdout).RootElement;
        Assert.True(json.GetProperty("running").GetBoolean());
        Assert.Equal(gateway.Pid, json.GetProperty("pid").GetInt32());
        Assert.Equal(gateway.Port, json.GetProperty("gateway").GetProperty("port").GetInt32());
        Assert.Equal(0, json.GetProperty("gateway").GetProperty("work").GetProperty("activeRuns").GetInt32());
    }

    [Fact]
    public async Task Status_ShowsTheGatewaysAndTheClisBinary_VersionCommitDateAndPath()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var text = await CliRun.RunAsync(home, "gateway", "status");
        var json = JsonDocument.Parse((await CliRun.RunAsync(home, "gateway", "status", "--json")).Stdout).RootElement;

        var describe = ClawSharp.Gateway.GatewayVersion.Describe();
        Assert.Contains($"  gateway      {describe}, {TestPaths.ClawSharpBinary}", text.Stdout);
        Assert.Contains($"  cli          {describe}, {TestPaths.ClawSharpBinary}", text.Stdout);
        Assert.DoesNotContain("drift", text.Stdout);
        var binary = json.GetProperty("gatewayBinary");
        Assert.Equal(ClawSharp.Gateway.GatewayVersion.Current, binary.GetProperty("version").GetString());
        Assert.Equal(ClawSharp.Gateway.GatewayVersion.Commit, binary.GetProperty("commit").GetString());
        Assert.Equal(ClawSharp.Gateway.GatewayVersion.BuildDate, binary.GetProperty("buildDate").GetString());
        Assert.Equal(TestPaths.ClawSharpBinary, binary.GetProperty("path").GetString());
        Assert.Equal(TestPaths.ClawSharpBinary, json.GetProperty("cliBinary").GetProperty("path").GetString());
        Assert.Equal(TestPaths.ClawSharpBinary, json.GetProperty("gateway").GetProperty("executable").GetString());
        Assert.False(json.TryGetProperty("versionDrift", out _));
    }

    [Fact]
    public async Task Version_PrintsVersionCommitAndBuildDate_ExitZero()
    {
        var version = await CliRun.RunAsync(["--version"]);

        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Equal(ClawSharp.Gateway.GatewayVersion.Describe(), version.Stdout.Trim());
        Assert.Matches(@"^clawsharp \d+\.\d+\.\d+\S* \(commit [0-9a-f]{7}, built \d{4}-\d{2}-\d{2}", version.Stdout);
    }

    [Fact]
    public async Task Status_OfALockLeftByADeadProcess_SaysStopped()
    {
        using var home = new TempHome();
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await exited.WaitForExitAsync();
        File.WriteAllText(home.State.LockFile, JsonSerializer.Serialize(
            new LockOwner(exited.Id, 1, 1234, "127.0.0.1", "0.0.0", DateTimeOffset.UtcNow), ClaimJsonContext.Default.LockOwner));

        var status = await CliRun.RunAsync(home, "gateway", "status");

        Assert.Equal(3, status.ExitCode);
        Assert.Contains($"the lock names pid {exited.Id}, which is no longer running", status.Stdout);
    }

    [Fact]
    public async Task Stop_StopsGracefully_AndTwiceSaysNotRunning()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var stop = await CliRun.RunAsync(home, "gateway", "stop");
        var again = await CliRun.RunAsync(home, "gateway", "stop");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal($"gateway stopped (pid {gateway.Pid})", stop.Stdout.Trim());
        Assert.Equal(0, await gateway.WaitForExitAsync());
        Assert.Equal(0, again.ExitCode);
        Assert.Equal("gateway is not running", again.Stdout.Trim());
    }

    [Fact]
    public async Task Stop_NeverSignalsAPidReusedByAnotherProgram()
    {
        using var home = new TempHome();
        using var unrelated = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            var identity = ProcessIdentity.Of(unrelated.Id)!;
            File.WriteAllText(home.State.LockFile, JsonSerializer.Serialize(
                new LockOwner(unrelated.Id, identity.StartTime + 7, 1234, "127.0.0.1", "0.0.0", DateTimeOffset.UtcNow), ClaimJsonContext.Default.LockOwner));

            var stop = await CliRun.RunAsync(home, "gateway", "stop");

            Assert.Equal(0, stop.ExitCode);
            Assert.Equal("gateway is not running", stop.Stdout.Trim());
            Assert.False(unrelated.HasExited);
        }
        finally
        {
            unrelated.Kill();
            await unrelated.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Stop_EscalatesToSigkill_AfterTheTimeout_AndSaysSo()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "shutdown": { "timeoutMs": 60000 } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home,
            environment: new Dictionary<string, string> { ["CLAWSHARP_TEST_FAULTS"] = "hang-on-stop" });

        var stop = await CliRun.RunAsync(home, "gateway", "stop", "--timeout", "1s");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains($"pid {gateway.Pid} did not stop within 1 s; sending SIGKILL", stop.Stderr);
        Assert.Equal(137, await gateway.WaitForExitAsync());
    }
}

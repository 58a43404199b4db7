using System.Diagnostics;
using System.Text.Json;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;
using static ClawSharp.Tests.EndToEnd.DaemonTests;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// Issue 17: the crash history outlives the supervisor, unclean ends are recorded and shown, a refused
/// start and a failed restart say why, and a slow start is not called a failure. On real processes.
/// </summary>
public sealed class DaemonCrashHistoryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoCrashes_SupervisorKilled_StartAgain_TwoMoreCrashes_TripTheStormLimit_AndStatusSaysWhy()
    {
        using var home = new TempHome();
        // Its gateway is killed right after the supervisor: it must not restart under a new one in between.
        home.WriteConfig("""{ "daemon": { "backoffMs": 50, "backoffMaxMs": 200, "resupervise": false } }""");
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        var first = await StatusJsonAsync(home);
        var oldSupervisor = first.GetProperty("supervisor").GetProperty("pid").GetInt32();
        var pid = first.GetProperty("pid").GetInt32();
        for (var crash = 1; crash <= 2; crash++)
        {
            pid = await KillAndWaitForTheNextAsync(home, pid, crash);
        }
        await Eventually.AssertAsync(async () => (await StatusJsonAsync(home)).GetProperty("supervisor").TryGetProperty("gatewayRssBytes", out _),
            Deadline, "the supervisor to sample its gateway's memory");

        // The supervisor dies (kill -9), then its orphaned gateway too, as an OOM kill of both would leave them.
        Posix.Kill(oldSupervisor, Posix.SIGKILL);
        await Eventually.AssertAsync(() => ProcessIdentity.Of(oldSupervisor) is null, Deadline, "the supervisor to die");
        Posix.Kill(pid, Posix.SIGKILL);
        await Eventually.AssertAsync(() => ProcessIdentity.Of(pid) is null, Deadline, "the orphaned gateway to die");

        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0");

        Assert.True(start.ExitCode == 0, start.ToString());
        var restarted = await StatusJsonAsync(home);
        var unclean = restarted.GetProperty("supervisor").GetProperty("lastUncleanEnd");
        Assert.Equal("supervisor", unclean.GetProperty("process").GetString());
        Assert.Equal(oldSupervisor, unclean.GetProperty("pid").GetInt32());
        Assert.True(unclean.GetProperty("lastSeen").GetBoolean());
        Assert.True(unclean.GetProperty("lastRssBytes").GetInt64() > 0, unclean.ToString());
        Assert.NotEmpty(unclean.GetProperty("lastLogLines").EnumerateArray());
        Assert.Equal(2, restarted.GetProperty("supervisor").GetProperty("crashesInWindow").GetInt32());
        Assert.Contains($"unclean end  supervisor pid {oldSupervisor} ended without a clean stop", (await CliRun.RunAsync(home, "gateway", "status")).Stdout);
        Assert.Equal(AtomicFile.PrivateFileMode, File.GetUnixFileMode(home.State.CrashHistoryFile));

        pid = restarted.GetProperty("pid").GetInt32();
        pid = await KillAndWaitForTheNextAsync(home, pid, crash: 3);
        Posix.Kill(pid, Posix.SIGKILL);

        var failed = await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "failed");
        Assert.StartsWith("4 crashes within 5 min (limit 3, 2 of them before this supervisor started)",
            failed.GetProperty("supervisor").GetProperty("failureReason").GetString());
        var text = await CliRun.RunAsync(home, "gateway", "status");
        Assert.Equal(1, text.ExitCode);
        Assert.StartsWith("Failed: 4 crashes within 5 min (limit 3, 2 of them before this supervisor started)", text.Stdout);
        Assert.Contains($"unclean end  gateway pid {pid} killed by signal 9 (SIGKILL)", text.Stdout);
        var previous = await CliRun.RunAsync(home, "gateway", "logs", "--previous", "-n", "5");
        Assert.True(previous.ExitCode == 0, previous.ToString());
        Assert.Contains("previous run: gateway pid", previous.Stderr);
        Assert.NotEmpty(previous.Stdout.Trim());
        await Eventually.AssertAsync(() => ClawSharpProcesses(home).Count == 0, Deadline, "the supervisor to exit after giving up");
    }

    [Fact]
    public async Task ARefusedStart_LeavesItsReason_SoStatusSaysFailedConfigInvalidAtTheKey_UntilAStartSucceeds()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "daemon": { "crashLimit": "many" } }""");

        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0");
        var status = await CliRun.RunAsync(home, "gateway", "status");
        var json = JsonDocument.Parse((await CliRun.RunAsync(home, "gateway", "status", "--json")).Stdout).RootElement;

        Assert.Equal(78, start.ExitCode);
        Assert.Equal(1, status.ExitCode);
        Assert.StartsWith($"Failed: config invalid at daemon.crashLimit ({home.State.ConfigFile}); 'clawsharp gateway start' refused at", status.Stdout);
        Assert.Equal("failed", json.GetProperty("status").GetString());
        Assert.Equal("daemon.crashLimit", json.GetProperty("startFailure").GetProperty("key").GetString());
        Assert.Equal(home.State.ConfigFile, json.GetProperty("startFailure").GetProperty("file").GetString());
        Assert.Equal(AtomicFile.PrivateFileMode, File.GetUnixFileMode(home.State.StartFailedFile));

        home.WriteConfig("{}");
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        Assert.Equal("running", (await StatusJsonAsync(home)).GetProperty("status").GetString());
        await StopAndAssertGoneAsync(home);
        Assert.StartsWith("Stopped", (await CliRun.RunAsync(home, "gateway", "status")).Stdout);
    }

    [Fact]
    public async Task ARestartIntoABadConfig_IsRefusedAtOnce_NamingTheKey_AndTheDaemonKeepsServing()
    {
        using var home = new TempHome();
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        var pid = GatewayLock.ReadOwner(home.State.LockFile)!.Pid;
        home.WriteConfig("""{ "daemon": { "crashLimit": "many" } }""");
        var clock = Stopwatch.StartNew();

        var restart = await CliRun.RunAsync(home, "gateway", "restart", "--timeout", "40s");

        Assert.Equal(1, restart.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Contains("restart refused: the next start would fail: daemon.crashLimit", restart.Stderr);
        Assert.Contains(home.State.ConfigFile, restart.Stderr);
        Assert.Equal(pid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "status")).ExitCode);
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task ARestartThatCrashesAtStart_FailsAsSoonAsTheSupervisorKnows_Exit1()
    {
        using var home = new TempHome();
        var faults = new Dictionary<string, string> { ["CLAWSHARP_TEST_FAULTS"] = "fail-start-when-marked" };
        Assert.Equal(0, (await CliRun.RunAsync(["gateway", "start", "--port", "0", "--home", home.Root], faults)).ExitCode);
        File.WriteAllText(home.PathOf(ClawSharp.Gateway.Diagnostics.GatewayFaults.StartFailsMarker), "");
        var clock = Stopwatch.StartNew();

        var restart = await CliRun.RunAsync(home, "gateway", "restart", "--timeout", "40s");

        Assert.Equal(1, restart.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Contains("restart failed: the gateway crashed at start", restart.Stderr);
        File.Delete(home.PathOf(ClawSharp.Gateway.Diagnostics.GatewayFaults.StartFailsMarker));
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task AStartSlowerThanItsTimeout_IsStillStarting_Exit3_AndGoesOnInTheBackground()
    {
        using var home = new TempHome();

        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0", "--timeout", "10ms", "--json");

        Assert.True(start.ExitCode == 3, start.ToString());
        var json = JsonDocument.Parse(start.Stdout).RootElement;
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal("starting", json.GetProperty("result").GetString());
        Assert.Contains("still starting", json.GetProperty("message").GetString());
        await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "running");
        await StopAndAssertGoneAsync(home);
    }

    /// <summary>kill -9 the gateway; waits for the supervisor to run the next one; returns its pid.</summary>
    private static async Task<int> KillAndWaitForTheNextAsync(TempHome home, int pid, int crash)
    {
        Posix.Kill(pid, Posix.SIGKILL);
        var back = await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "running" && s.GetProperty("pid").GetInt32() != pid);
        Assert.Equal(crash, back.GetProperty("supervisor").GetProperty("crashesInWindow").GetInt32());
        return back.GetProperty("pid").GetInt32();
    }
}

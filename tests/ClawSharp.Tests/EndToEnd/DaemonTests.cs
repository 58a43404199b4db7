using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using ClawSharp.Daemon;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary><c>gateway start | stop | restart | status</c> with the built-in supervisor, on real processes.</summary>
public sealed class DaemonTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Fast backoff so crash tests do not wait out the 1 s default.</summary>
    internal const string FastBackoff = """{ "daemon": { "backoffMs": 50, "backoffMaxMs": 200 } }""";

    [Fact]
    public async Task Start_Status_KillNine_SupervisorBringsItBack_WithRestartCountOne()
    {
        using var home = new TempHome();
        home.WriteConfig(FastBackoff);

        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0", "--json");

        Assert.True(start.ExitCode == 0, start.ToString());
        var started = JsonDocument.Parse(start.Stdout).RootElement;
        Assert.Equal("started", started.GetProperty("result").GetString());
        var firstPid = started.GetProperty("pid").GetInt32();
        var supervisorPid = started.GetProperty("supervisorPid").GetInt32();
        Assert.NotEqual(firstPid, supervisorPid);
        var status = await StatusJsonAsync(home);
        Assert.Equal("running", status.GetProperty("status").GetString());
        Assert.Equal(firstPid, status.GetProperty("pid").GetInt32());

        Posix.Kill(firstPid, Posix.SIGKILL);

        var back = await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "running" && s.GetProperty("pid").GetInt32() != firstPid);
        var supervisor = back.GetProperty("supervisor");
        Assert.Equal(supervisorPid, supervisor.GetProperty("pid").GetInt32());
        Assert.Equal(1, supervisor.GetProperty("restartCount").GetInt32());
        Assert.Equal(1, supervisor.GetProperty("crashCount").GetInt32());
        Assert.Equal(9, supervisor.GetProperty("lastExit").GetProperty("signal").GetInt32());
        Assert.Contains("signal 9 (SIGKILL)", (await CliRun.RunAsync(home, "gateway", "status")).Stdout);
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task FourCrashesInARow_GiveUp_StatusFailed_WithTheLastExit()
    {
        using var home = new TempHome();
        home.WriteConfig(FastBackoff);
        var crashing = new Dictionary<string, string> { ["CLAWSHARP_TEST_FAULTS"] = "crash-after-ready" };

        // The gateway may be seen ready before its first crash, or not: start's own answer is not the point here.
        await CliRun.RunAsync(["gateway", "start", "--port", "0", "--home", home.Root], crashing);

        var failed = await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "failed");
        var supervisor = failed.GetProperty("supervisor");
        Assert.Equal(4, supervisor.GetProperty("crashCount").GetInt32());
        Assert.Equal(3, supervisor.GetProperty("restartCount").GetInt32());
        Assert.Equal(1, supervisor.GetProperty("lastExit").GetProperty("code").GetInt32());
        Assert.Contains("4 crashes within", supervisor.GetProperty("failureReason").GetString());
        Assert.NotEmpty(supervisor.GetProperty("lastLogLines").EnumerateArray());
        var text = await CliRun.RunAsync(home, "gateway", "status");
        Assert.Equal(1, text.ExitCode);
        Assert.StartsWith("Failed: 4 crashes within", text.Stdout);
        Assert.Contains("last exit    exit 1 (failure)", text.Stdout);
        Assert.Contains("last log lines:", text.Stdout);
        await Eventually.AssertAsync(() => ClawSharpProcesses(home).Count == 0, Deadline, "the supervisor to exit after giving up");

        var stop = await CliRun.RunAsync(home, "gateway", "stop");
        var afterStop = await CliRun.RunAsync(home, "gateway", "status");
        Assert.Equal("gateway is not running", stop.Stdout.Trim());
        Assert.Equal(3, afterStop.ExitCode);
        Assert.Contains("last exit    exit 1 (failure)", afterStop.Stdout);
    }

    [Fact]
    public async Task StartTwice_SaysAlreadyRunning_StopTwice_SaysNotRunning_AndLeavesNothingBehind()
    {
        using var home = new TempHome();
        var first = await CliRun.RunAsync(home, "gateway", "start", "--port", "0");
        Assert.True(first.ExitCode == 0, first.ToString());
        var pid = (await StatusJsonAsync(home)).GetProperty("pid").GetInt32();

        var second = await CliRun.RunAsync(home, "gateway", "start", "--port", "0");

        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"gateway is already running with PID {pid}", second.Stderr);
        var port = (await StatusJsonAsync(home)).GetProperty("port").GetInt32();
        await StopAndAssertGoneAsync(home);
        using (var probe = new TcpClient())
        {
            await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", port));
        }
        var again = await CliRun.RunAsync(home, "gateway", "stop");
        Assert.Equal(0, again.ExitCode);
        Assert.Equal("gateway is not running", again.Stdout.Trim());
        var status = await CliRun.RunAsync(home, "gateway", "status");
        Assert.Equal(3, status.ExitCode);
        Assert.StartsWith("Stopped", status.Stdout);
    }

    [Fact]
    public async Task PlainRestart_GoesThroughTheSupervisor_NewPid_NotACrash()
    {
        using var home = new TempHome();
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        var before = await StatusJsonAsync(home);

        var restart = await CliRun.RunAsync(home, "gateway", "restart", "--json");

        Assert.True(restart.ExitCode == 0, restart.ToString());
        var newPid = JsonDocument.Parse(restart.Stdout).RootElement.GetProperty("pid").GetInt32();
        Assert.NotEqual(before.GetProperty("pid").GetInt32(), newPid);
        var after = await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "running");
        Assert.Equal(newPid, after.GetProperty("pid").GetInt32());
        Assert.Equal(before.GetProperty("supervisor").GetProperty("pid").GetInt32(), after.GetProperty("supervisor").GetProperty("pid").GetInt32());
        Assert.Equal(1, after.GetProperty("supervisor").GetProperty("restartCount").GetInt32());
        Assert.Equal(0, after.GetProperty("supervisor").GetProperty("crashCount").GetInt32());
        Assert.Equal(75, after.GetProperty("supervisor").GetProperty("lastExit").GetProperty("code").GetInt32());
        var request = await CliRun.CallAsync(home, "gateway.restart.request", """{ "reason": "mode check" }""");
        Assert.Equal("supervised", request.GetProperty("restart").GetProperty("mode").GetString());
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task DuringABackoff_StatusSaysSo_RestartStartsItNow_AndStopEndsTheSupervisor()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "daemon": { "backoffMs": 600000 } }""");
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        Posix.Kill((await StatusJsonAsync(home)).GetProperty("pid").GetInt32(), Posix.SIGKILL);
        await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "backoff");

        var status = await CliRun.RunAsync(home, "gateway", "status");
        var restart = await CliRun.RunAsync(home, "gateway", "restart");

        Assert.Equal(3, status.ExitCode);
        Assert.StartsWith("Backoff: the gateway crashed (signal 9 (SIGKILL)); the supervisor starts it again in", status.Stdout);
        Assert.True(restart.ExitCode == 0, restart.ToString());
        Assert.StartsWith("gateway restarted (pid", restart.Stdout);
        Posix.Kill((await StatusJsonAsync(home)).GetProperty("pid").GetInt32(), Posix.SIGKILL);
        await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "backoff");
        var stop = await CliRun.RunAsync(home, "gateway", "stop");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.StartsWith("gateway stopped (supervisor pid", stop.Stdout);
        Assert.Empty(ClawSharpProcesses(home));
    }

    [Fact]
    public async Task Stop_ThatOverrunsItsTimeout_EscalatesToSigkill_AndSaysSo()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "shutdown": { "timeoutMs": 600000 } }""");
        var start = await CliRun.RunAsync(["gateway", "start", "--port", "0", "--home", home.Root],
            new Dictionary<string, string> { ["CLAWSHARP_TEST_FAULTS"] = "hang-on-stop" });
        Assert.True(start.ExitCode == 0, start.ToString());

        var stop = await CliRun.RunAsync(home, "gateway", "stop", "--timeout", "500ms");

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains("did not stop within 0.5 s; sending SIGKILL", stop.Stderr);
        Assert.Contains("gateway killed", stop.Stdout);
        Assert.Empty(ClawSharpProcesses(home));
        Assert.True(((DaemonStateRead.Found)DaemonStateFile.Read(home.State)).State.State == DaemonPhase.Stopped,
            File.ReadAllText(home.State.DaemonStateFile) + File.ReadAllText(home.State.SupervisorLogFile) + stop);
    }

    [Fact]
    public async Task DaemonStateNamingADeadSupervisor_IsReportedStale_NeverSignalled_AndStartWorks()
    {
        using var home = new TempHome();
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await exited.WaitForExitAsync();
        WriteDaemonState(home, exited.Id, 12345);

        var status = await CliRun.RunAsync(home, "gateway", "status");
        var stop = await CliRun.RunAsync(home, "gateway", "stop");

        Assert.Equal(3, status.ExitCode);
        Assert.Contains($"supervisor pid {exited.Id} is no longer running", status.Stdout);
        Assert.Equal(0, stop.ExitCode);
        Assert.Equal("gateway is not running", stop.Stdout.Trim());
        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0");
        Assert.True(start.ExitCode == 0, start.ToString());
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task DaemonStateNamingAReusedPid_IsNeverSignalled()
    {
        using var home = new TempHome();
        using var stranger = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        try
        {
            var identity = ProcessIdentity.Of(stranger.Id)!;
            WriteDaemonState(home, stranger.Id, identity.StartTime - 1);

            var status = await CliRun.RunAsync(home, "gateway", "status");
            var stop = await CliRun.RunAsync(home, "gateway", "stop");

            Assert.Equal(3, status.ExitCode);
            Assert.Contains($"supervisor pid {stranger.Id}, which now belongs to another program", status.Stdout);
            Assert.Equal("gateway is not running", stop.Stdout.Trim());
            Assert.False(stranger.HasExited);
        }
        finally
        {
            stranger.Kill();
            await stranger.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task CorruptDaemonState_IsReported_TreatedAsNotRunning_AndReplacedByTheNextStart()
    {
        using var home = new TempHome();
        File.WriteAllText(home.State.DaemonStateFile, "{ \"state\": \"runn");

        var status = await CliRun.RunAsync(home, "gateway", "status", "--json");

        Assert.Equal(3, status.ExitCode);
        var json = JsonDocument.Parse(status.Stdout).RootElement;
        Assert.Equal("stopped", json.GetProperty("status").GetString());
        Assert.Contains(json.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("daemon.json is corrupt", StringComparison.Ordinal));
        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0");
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.IsType<DaemonStateRead.Found>(DaemonStateFile.Read(home.State));
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task Start_WithABadConfig_Exits78_NamingTheKey_AndStartsNothing()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "daemon": { "crashLimit": "many" } }""");

        var start = await CliRun.RunAsync(home, "gateway", "start");

        Assert.Equal(78, start.ExitCode);
        Assert.Contains("daemon.crashLimit must be an integer from 0 to 1000", start.Stderr);
        Assert.Empty(ClawSharpProcesses(home));
    }

    [Fact]
    public async Task Supervisor_IsDetached_AndLogsToItsOwnFile()
    {
        using var home = new TempHome();
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        var supervisorPid = (await StatusJsonAsync(home)).GetProperty("supervisor").GetProperty("pid").GetInt32();

        Assert.Equal(supervisorPid, ProcessGroups.Of(supervisorPid)!.SessionId); // its own session
        Assert.Equal("/dev/null", new FileInfo($"/proc/{supervisorPid}/fd/0").LinkTarget);
        Assert.Contains("supervisor started for", File.ReadAllText(home.State.SupervisorLogFile));
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task AfterTheSupervisorDied_TheGatewayPutsItselfBackUnderANewOne_RefusingNoConnection()
    {
        using var home = new TempHome();
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        var before = await StatusJsonAsync(home);
        var port = before.GetProperty("port").GetInt32();
        var supervisorPid = before.GetProperty("supervisor").GetProperty("pid").GetInt32();
        using var probes = new ConnectLoop(port);
        await Eventually.AssertAsync(() => probes.Answered > 0, Deadline, "the connect loop to reach the gateway");

        Posix.Kill(supervisorPid, Posix.SIGKILL);

        var after = await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "running"
            && s.GetProperty("supervisor").GetProperty("alive").GetBoolean() && s.GetProperty("supervisor").GetProperty("pid").GetInt32() != supervisorPid);
        Assert.NotEqual(before.GetProperty("pid").GetInt32(), after.GetProperty("pid").GetInt32());
        Assert.Equal(port, after.GetProperty("port").GetInt32());
        Assert.Contains("the built-in supervisor that started this gateway died; asking for a restart under a new one", File.ReadAllText(home.State.LogFile));
        await probes.StopOnceAnsweredAgainAsync(Deadline, "the connect loop to reach the new gateway");
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task AfterTheSupervisorDied_AStartDuringTheGatewaysOwnRestart_JoinsIt_InsteadOfRestartingTwice()
    {
        using var home = new TempHome();
        // A run in flight keeps the gateway's own restart draining for a while: the start arrives in the middle.
        home.WriteConfig("""{ "agents": { "echo": { "delayMs": 4000 } } }""");
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        var before = await StatusJsonAsync(home);
        var (client, _) = await RawProtocolClient.ConnectAsync(before.GetProperty("port").GetInt32(), TokenStore.TryRead(home.State)!);
        await using (client)
        {
            var sent = await client.RequestAsync("chat.send", """{"sessionKey":"s","message":"slow","idempotencyKey":"slow-1"}""");
            Assert.True(sent.GetProperty("ok").GetBoolean(), sent.ToString());
        }
        var supervisorPid = before.GetProperty("supervisor").GetProperty("pid").GetInt32();
        Posix.Kill(supervisorPid, Posix.SIGKILL);
        await Eventually.AssertAsync(() => File.ReadAllText(home.State.LogFile).Contains("asking for a restart under a new one", StringComparison.Ordinal),
            Deadline, "the gateway to ask for its own restart");

        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0", "--json");

        Assert.True(start.ExitCode == 0, start.ToString());
        using var answer = JsonDocument.Parse(start.Stdout);
        Assert.Equal("supervised-again", answer.RootElement.GetProperty("result").GetString());
        var after = await StatusJsonAsync(home);
        Assert.True(after.GetProperty("supervisor").GetProperty("alive").GetBoolean(), after.ToString());
        await Steadily.HoldsAsync(async () => (await StatusJsonAsync(home)).GetProperty("pid").GetInt32() == after.GetProperty("pid").GetInt32(),
            TimeSpan.FromSeconds(2), "no second restart");
        var log = File.ReadAllText(home.State.LogFile);
        Assert.Equal(1, log.Split("started a new one (pid ").Length - 1);
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task AfterTheSupervisorDied_ARestart_StartsANewSupervisorOnTheSameSocket_WhichRestartsTheNextCrash()
    {
        using var home = new TempHome();
        // The restart asked for here, not the gateway's own (AfterTheSupervisorDied_TheGatewayPutsItselfBackUnderANewOne).
        home.WriteConfig("""{ "daemon": { "backoffMs": 50, "backoffMaxMs": 200, "resupervise": false } }""");
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        var before = await StatusJsonAsync(home);
        var port = before.GetProperty("port").GetInt32();
        var supervisorPid = await KillTheSupervisorAsync(before);
        using var probes = new ConnectLoop(port);
        await Eventually.AssertAsync(() => probes.Answered > 0, Deadline, "the connect loop to reach the orphaned gateway");

        var restart = await CliRun.RunAsync(home, "gateway", "restart");

        Assert.True(restart.ExitCode == 0, restart.ToString());
        var after = await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "running"
            && s.GetProperty("supervisor").GetProperty("alive").GetBoolean());
        var newSupervisor = after.GetProperty("supervisor").GetProperty("pid").GetInt32();
        Assert.NotEqual(supervisorPid, newSupervisor);
        Assert.NotEqual(before.GetProperty("pid").GetInt32(), after.GetProperty("pid").GetInt32());
        Assert.Equal(port, after.GetProperty("port").GetInt32());
        Assert.Equal(newSupervisor, ProcessGroups.Of(newSupervisor)!.SessionId); // detached, as 'gateway start' leaves it
        Assert.DoesNotContain(after.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("supervisor", StringComparison.Ordinal));
        Assert.Contains("the built-in supervisor that started this gateway is gone; started a new one", File.ReadAllText(home.State.LogFile));
        Assert.Contains($"took over the listening socket 127.0.0.1:{port}", File.ReadAllText(home.State.SupervisorLogFile));

        // Supervised again: the next crash is restarted, on the same port.
        Posix.Kill(after.GetProperty("pid").GetInt32(), Posix.SIGKILL);
        var afterCrash = await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "running"
            && s.GetProperty("pid").GetInt32() != after.GetProperty("pid").GetInt32());
        Assert.Equal(newSupervisor, afterCrash.GetProperty("supervisor").GetProperty("pid").GetInt32());
        await probes.StopOnceAnsweredAgainAsync(Deadline, "the connect loop to reach the newest gateway");
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task AfterTheSupervisorDied_ANewSupervisorThatNeverGetsReady_IsStopped_AndTheGatewayRestartsInProcess()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "spawnReadyTimeoutMs": 1500 } }, "daemon": { "resupervise": false } }""");
        var faults = new Dictionary<string, string> { [Gateway.Diagnostics.GatewayFaults.EnvironmentVariable] = "spawned-child-never-ready" };
        Assert.Equal(0, (await CliRun.RunAsync(["gateway", "start", "--port", "0", "--home", home.Root], faults)).ExitCode);
        var before = await StatusJsonAsync(home);
        var gatewayPid = before.GetProperty("pid").GetInt32();
        await KillTheSupervisorAsync(before);

        var restart = await CliRun.RunAsync(home, "gateway", "restart");

        Assert.True(restart.ExitCode == 0, restart.ToString());
        var log = File.ReadAllText(home.State.LogFile);
        var started = log.Split("started a new one (pid ")[1];
        var newSupervisor = int.Parse(started[..started.IndexOf(')', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("test fault spawned-child-never-ready: started by a gateway", File.ReadAllText(home.State.SupervisorLogFile));
        await Eventually.AssertAsync(() => ProcessIdentity.Of(newSupervisor) is null, Deadline, "the supervisor that never got ready to be stopped");
        // Stopped as 'gateway stop' stops one (SIGTERM), not killed: it put daemon.json back as the dead supervisor left it.
        Assert.Contains("daemon.json is left as the supervisor it replaced wrote it", File.ReadAllText(home.State.SupervisorLogFile));
        var after = await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "running");
        Assert.Equal(gatewayPid, after.GetProperty("pid").GetInt32()); // restarted in process, on the socket it kept
        Assert.Equal(before.GetProperty("port").GetInt32(), after.GetProperty("port").GetInt32());
        Assert.Equal(gatewayPid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
        // Still known as unsupervised, so 'gateway start' would try again.
        Assert.Contains(after.GetProperty("problems").EnumerateArray(),
            p => p.GetString()!.Contains($"gateway pid {gatewayPid} serves without its supervisor", StringComparison.Ordinal));
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task Start_OfAGatewayWhoseSupervisorDied_PutsItBackUnderANewOne_RefusingNoConnection()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "daemon": { "resupervise": false } }""");
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        var before = await StatusJsonAsync(home);
        var port = before.GetProperty("port").GetInt32();
        var orphan = before.GetProperty("pid").GetInt32();
        var supervisorPid = await KillTheSupervisorAsync(before);
        var unsupervised = await StatusJsonAsync(home);
        Assert.Contains(unsupervised.GetProperty("problems").EnumerateArray(),
            p => p.GetString()!.Contains($"gateway pid {orphan} serves without its supervisor", StringComparison.Ordinal));
        using var probes = new ConnectLoop(port);
        await Eventually.AssertAsync(() => probes.Answered > 0, Deadline, "the connect loop to reach the orphaned gateway");

        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0", "--json");

        Assert.True(start.ExitCode == 0, start.ToString());
        using var answer = JsonDocument.Parse(start.Stdout);
        Assert.Equal("supervised-again", answer.RootElement.GetProperty("result").GetString());
        Assert.Equal(orphan, answer.RootElement.GetProperty("previousPid").GetInt32());
        Assert.Equal(supervisorPid, answer.RootElement.GetProperty("lostSupervisorPid").GetInt32());
        Assert.Equal(port, answer.RootElement.GetProperty("port").GetInt32());
        var newSupervisor = answer.RootElement.GetProperty("supervisorPid").GetInt32();
        Assert.NotNull(ProcessIdentity.Of(newSupervisor));
        var after = await StatusJsonAsync(home);
        Assert.Equal(answer.RootElement.GetProperty("pid").GetInt32(), after.GetProperty("pid").GetInt32());
        Assert.True(after.GetProperty("supervisor").GetProperty("alive").GetBoolean(), after.ToString());
        Assert.Empty(after.GetProperty("problems").EnumerateArray());
        await probes.StopOnceAnsweredAgainAsync(Deadline, "the connect loop to reach the new gateway");

        var again = await CliRun.RunAsync(home, "gateway", "start", "--port", "0");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already running", again.Stderr);
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task TwoStartsAtOnce_OneWins_TheOtherSaysAlreadyRunning_AndTheSupervisorLogStaysWhole()
    {
        using var home = new TempHome();

        var both = await Task.WhenAll(
            CliRun.RunAsync(home, "gateway", "start", "--port", "0"),
            CliRun.RunAsync(home, "gateway", "start", "--port", "0"));

        Assert.Single(both, r => r.ExitCode == 0);
        var loser = Assert.Single(both, r => r.ExitCode != 0);
        Assert.Equal(1, loser.ExitCode);
        Assert.Contains("already running", loser.Stderr);
        await Eventually.AssertAsync(() => ClawSharpProcesses(home).Count == 2, Deadline, "only the winner's supervisor and gateway to remain");
        Assert.All(File.ReadAllLines(home.State.SupervisorLogFile).Where(l => l.Length > 0), line => Assert.StartsWith("20", line));
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task StartAndStop_WorkUnderTheDotnetHost()
    {
        using var home = new TempHome();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { TestPaths.ClawSharpBinary + ".dll", "gateway", "start", "--port", "0", "--home", home.Root })
        {
            info.ArgumentList.Add(argument);
        }
        using var start = Process.Start(info)!;
        var output = start.StandardOutput.ReadToEndAsync();
        var errors = start.StandardError.ReadToEndAsync();
        await start.WaitForExitAsync();

        Assert.True(start.ExitCode == 0, await output + await errors);
        Assert.Equal("running", (await StatusJsonAsync(home)).GetProperty("status").GetString());
        await StopAndAssertGoneAsync(home);
    }

    [Fact]
    public async Task AfterAKillNine_TheSupervisorEndsTheDeadGatewaysAgents_SoNothingRunsTwice()
    {
        using var home = new TempHome();
        // A unique duration marks the agent's processes (the shell, and the sleep it may fork).
        var marker = $"sleep 299.{Random.Shared.Next(100_000, 999_999)}";
        home.WriteConfig($$"""
            { "daemon": { "backoffMs": 50 },
              "agents": { "default": "exec", "exec": { "command": "{{marker}}", "timeoutMs": 600000 } } }
            """);
        try
        {
            Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
            Assert.Equal(0, (await CliRun.RunAsync(home, "send", "work", "--session", "s")).ExitCode);
            await Eventually.AssertAsync(() => StrayProcesses.Find(marker).Count > 0, Deadline, "the agent to run");
            var agents = StrayProcesses.Find(marker);
            var gatewayPid = (await StatusJsonAsync(home)).GetProperty("pid").GetInt32();

            Posix.Kill(gatewayPid, Posix.SIGKILL);

            await Eventually.AssertAsync(() => agents.All(agent => ProcessIdentity.Of(agent) is null), Deadline, "the dead gateway's agent to be killed");
            // The line is written once every member is gone, just after the processes die.
            await Eventually.AssertAsync(() => File.ReadAllText(home.State.SupervisorLogFile).Contains($"killed processes left behind by gateway pid {gatewayPid}",
                StringComparison.Ordinal), Deadline, "the supervisor to say so");
            await StopAndAssertGoneAsync(home);
            await Eventually.AssertAsync(() => StrayProcesses.Find(marker).Count == 0, Deadline, "the requeued run's agent to end with its gateway");
        }
        finally
        {
            StrayProcesses.Kill(marker);
        }
    }

    [Fact]
    public async Task ABigSupervisorLog_IsRotatedWhileTheGatewayRuns_AndEveryoneKeepsWritingToTheLiveFile()
    {
        const int limit = 64 * 1024;
        using var home = new TempHome();
        home.WriteConfig($$"""{ "daemon": { "backoffMs": 50, "backoffMaxMs": 200 }, "logs": { "maxFileBytes": {{limit}}, "maxBackups": 2 } }""");
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        var first = (await StatusJsonAsync(home)).GetProperty("pid").GetInt32();
        using (var log = new FileStream(home.State.SupervisorLogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            log.Write(new byte[limit + 1]);
        }

        // No gateway start in between: the same gateway serves throughout.
        await Eventually.AssertAsync(() => File.Exists(home.State.SupervisorLogFile + ".1") && new FileInfo(home.State.SupervisorLogFile).Length < limit,
            TimeSpan.FromSeconds(30), "supervisor.log to rotate while the gateway runs");
        Assert.Equal(first, (await StatusJsonAsync(home)).GetProperty("pid").GetInt32());
        Assert.True(new FileInfo(home.State.SupervisorLogFile + ".1").Length > limit);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(home.State.SupervisorLogFile + ".1"));
        Posix.Kill(first, Posix.SIGKILL);
        var back = await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "running" && s.GetProperty("pid").GetInt32() != first);
        var current = File.ReadAllText(home.State.SupervisorLogFile);
        Assert.True(current.Length < limit, $"the live log is {current.Length} bytes");
        Assert.DoesNotContain('\0', current);
        Assert.Contains($"started gateway pid {back.GetProperty("pid").GetInt32()}", current);
        await StopAndAssertGoneAsync(home);
        Assert.Contains("supervisor stopping", File.ReadAllText(home.State.SupervisorLogFile));
    }

    [Fact]
    public async Task TheSupervisorHoldsTheListeningSocket_SoRestartsAndCrashesKeepThePort_AndRefuseNoConnection()
    {
        using var home = new TempHome();
        home.WriteConfig(FastBackoff);
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        var first = await StatusJsonAsync(home);
        var port = first.GetProperty("port").GetInt32();
        using var probes = new ConnectLoop(port);
        await Eventually.AssertAsync(() => probes.Answered > 0, Deadline, "the connect loop to reach the gateway");

        var restart = await CliRun.RunAsync(home, "gateway", "restart");
        Assert.True(restart.ExitCode == 0, restart.ToString());
        var afterRestart = await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "running");
        Posix.Kill(afterRestart.GetProperty("pid").GetInt32(), Posix.SIGKILL);
        var afterCrash = await WaitForStatusAsync(home, s => s.GetProperty("status").GetString() == "running"
            && s.GetProperty("pid").GetInt32() != afterRestart.GetProperty("pid").GetInt32());
        await probes.StopOnceAnsweredAgainAsync(Deadline, "the connect loop to reach the newest gateway");

        Assert.Equal(port, afterRestart.GetProperty("port").GetInt32());
        Assert.Equal(port, afterCrash.GetProperty("port").GetInt32());
        Assert.Contains($"took over the listening socket 127.0.0.1:{port}", File.ReadAllText(home.State.LogFile));
        await StopAndAssertGoneAsync(home);
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", port));
    }

    private static void WriteDaemonState(TempHome home, int supervisorPid, long startTime) =>
        DaemonStateFile.Write(home.State, new DaemonState
        {
            State = DaemonPhase.Running,
            SupervisorPid = supervisorPid,
            SupervisorStartTime = startTime,
            StartedAt = DateTimeOffset.UtcNow,
            Version = "0.0.0",
        });

    internal static async Task StopAndAssertGoneAsync(TempHome home)
    {
        var stop = await CliRun.RunAsync(home, "gateway", "stop");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.StartsWith("gateway stopped", stop.Stdout);
        Assert.Empty(ClawSharpProcesses(home));
    }

    internal static List<int> ClawSharpProcesses(TempHome home) => StrayProcesses.Find(home.Root);

    internal static async Task<JsonElement> StatusJsonAsync(TempHome home)
    {
        var status = await CliRun.RunAsync(home, "gateway", "status", "--json");
        return JsonDocument.Parse(status.Stdout).RootElement;
    }

    /// <summary>SIGKILLs the supervisor <paramref name="status"/> names (as an OOM kill would) and waits until it is gone; its PID.</summary>
    internal static async Task<int> KillTheSupervisorAsync(JsonElement status)
    {
        var supervisorPid = status.GetProperty("supervisor").GetProperty("pid").GetInt32();
        Posix.Kill(supervisorPid, Posix.SIGKILL);
        await Eventually.AssertAsync(() => ProcessIdentity.Of(supervisorPid) is null, Deadline, "the supervisor to die");
        return supervisorPid;
    }

    internal static async Task<JsonElement> WaitForStatusAsync(TempHome home, Func<JsonElement, bool> condition)
    {
        JsonElement last = default;
        await Eventually.AssertAsync(async () =>
        {
            last = await StatusJsonAsync(home);
            return condition(last);
        }, Deadline, "the expected gateway status");
        return last;
    }
}

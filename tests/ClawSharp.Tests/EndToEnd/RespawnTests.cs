using System.Net;
using System.Text.Json;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.Respawn;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>Fresh-PID respawn and update restarts of an unsupervised gateway (ARCHITECTURE.md §3).</summary>
public sealed class RespawnTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const string NeverReady = "spawned-child-never-ready";

    [Fact]
    public async Task Sigusr1_Unsupervised_HandsOverToAFreshPid_OnTheSamePort_WithoutRefusingAConnection()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var port = gateway.Port;
        var bootBefore = (await CliRun.CallAsync(home, "status")).GetProperty("bootId").GetString();
        using var probes = new ConnectLoop(port);
        await Eventually.AssertAsync(() => probes.Answered > 0, Deadline, "the connect loop to reach the old gateway");

        gateway.Signal(Posix.SIGUSR1);

        Assert.Equal(0, await gateway.WaitForProcessExitAsync(Deadline));
        var child = gateway.LiveLockOwner;
        Assert.True(child is not null, "the lock names no live gateway.\n" + gateway.AllOutput);
        Assert.NotEqual(gateway.Pid, child.Pid);
        Assert.Equal(port, child.Port);
        Assert.Equal(HttpStatusCode.OK, await gateway.StatusOfAsync("/readyz", port));
        var answeredAtHandover = probes.Answered;
        await Eventually.AssertAsync(() => probes.Answered > answeredAtHandover + 20, Deadline, "the connect loop to reach the new gateway");
        probes.Stop();
        Assert.True(probes.Refused == 0, $"{probes.Refused} of {probes.Attempts} connects were refused: {probes.FirstError}");

        var health = await CliRun.RunAsync(home, "gateway", "call", "health");
        Assert.True(health.ExitCode == 0, health.ToString());
        Assert.True(JsonDocument.Parse(health.Stdout).RootElement.GetProperty("ok").GetBoolean());
        var status = await CliRun.CallAsync(home, "status");
        Assert.Equal(child.Pid, status.GetProperty("pid").GetInt32());
        Assert.NotEqual(bootBefore, status.GetProperty("bootId").GetString());
        Assert.Contains($"took over the listening socket 127.0.0.1:{port}", gateway.Stdout.Text);
        Assert.Contains($"fresh process pid {child.Pid} is ready", gateway.Stdout.Text);
        Assert.DoesNotContain("gateway restarted in process", gateway.Stdout.Text);
        // The respawn counts as a restart: the next one waits out the 30 s cooldown.
        var again = await CliRun.CallAsync(home, "gateway.restart.request");
        Assert.True(again.GetProperty("restart").GetProperty("cooldownMsApplied").GetInt64() > 20_000, again.ToString());
    }

    [Fact]
    public async Task RespawnedGateway_RespawnsAgain_AndStopsOnSigterm()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "cooldownMs": 0 } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var port = gateway.Port;

        gateway.Signal(Posix.SIGUSR1);
        Assert.Equal(0, await gateway.WaitForProcessExitAsync(Deadline));
        var second = gateway.LiveLockOwner!;
        Posix.Kill(second.Pid, Posix.SIGUSR1);
        // The second exits only once the third owns the lock and is ready.
        await Eventually.AssertAsync(() => IsGone(second.Pid), Deadline, "the second process to exit");
        var third = gateway.LiveLockOwner;
        Assert.True(third is not null && third.Pid != second.Pid && third.Pid != gateway.Pid, gateway.AllOutput);
        Assert.Equal(port, third.Port);
        await Eventually.AssertAsync(async () => await gateway.StatusOfAsync("/readyz", port) == HttpStatusCode.OK, Deadline, "the third to be ready");

        Posix.Kill(third.Pid, Posix.SIGTERM);
        await Eventually.AssertAsync(() => IsGone(third.Pid), Deadline, "the third process to stop");
        Assert.Null(GatewayLock.ReadOwner(home.State.LockFile));
        Assert.Null(await gateway.StatusOfAsync("/healthz", port));
    }

    [Fact]
    public async Task UpdateRestart_WhoseChildNeverBecomesReady_KillsIt_RecordsTheFailure_AndRestartsInProcess()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "spawnReadyTimeoutMs": 2500 } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home,
            environment: new Dictionary<string, string> { [GatewayFaults.EnvironmentVariable] = NeverReady });
        var port = gateway.Port;

        var answer = await CliRun.CallAsync(home, "gateway.restart.request", """{ "reason": "update" }""");
        Assert.Equal("update", answer.GetProperty("restart").GetProperty("reason").GetString());

        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        await gateway.WaitForReadyAsync();
        Assert.Equal(port, gateway.Port);
        Assert.Equal(gateway.Pid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
        var failure = UpdateFailureStore.Read(home.State);
        Assert.NotNull(failure);
        Assert.Equal("child-not-ready", failure.Reason);
        Assert.NotNull(failure.ChildPid);
        Assert.NotEqual(gateway.Pid, failure.ChildPid);
        Assert.Equal($"the fresh process (pid {failure.ChildPid}) was not ready within 2500 ms", failure.Detail);
        Assert.Equal(AtomicFile.PrivateFileMode, File.GetUnixFileMode(home.State.UpdateFailedFile));
        var json = JsonDocument.Parse(File.ReadAllText(home.State.UpdateFailedFile)).RootElement;
        Assert.Equal(["at", "reason", "childPid", "detail"], json.EnumerateObject().Select(p => p.Name));
        // The child started, saw that it was spawned and honoured the fault; it is dead now.
        Assert.Contains("test fault spawned-child-never-ready: spawned by pid " + gateway.Pid, gateway.Stderr.Text);
        Assert.True(IsGone(failure.ChildPid.Value), $"the child {failure.ChildPid} is still alive");
        Assert.Contains($"fresh-PID respawn failed: {failure.Detail}", gateway.Stderr.Text);
        Assert.Contains("update restart failed; recorded in " + home.State.UpdateFailedFile, gateway.Stderr.Text);
        Assert.Single(Directory.GetFiles(home.State.BundlesDirectory, "*-respawn-failed.json"));
        Assert.True((await CliRun.RunAsync(home, "gateway", "call", "health")).ExitCode == 0);
        var status = await CliRun.RunAsync(home, "gateway", "status");
        Assert.Contains($"the last update restart failed at", status.Stdout);
        Assert.Contains(failure.Detail + "; still running the previous binary", status.Stdout);
        var statusJson = JsonDocument.Parse((await CliRun.RunAsync(home, "gateway", "status", "--json")).Stdout).RootElement;
        Assert.Equal("child-not-ready", statusJson.GetProperty("updateFailure").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task UpdateRestart_ThatHandsOver_DeletesThePreviousFailureRecord()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        UpdateFailureStore.Write(home.State, new UpdateFailure(DateTimeOffset.UtcNow, "child-not-ready", 1, "an earlier failure"));

        await CliRun.CallAsync(home, "gateway.restart.request", """{ "reason": "update" }""");

        Assert.Equal(0, await gateway.WaitForProcessExitAsync(Deadline));
        var child = gateway.LiveLockOwner;
        Assert.True(child is not null && child.Pid != gateway.Pid, gateway.AllOutput);
        Assert.False(File.Exists(home.State.UpdateFailedFile));
    }

    [Fact]
    public async Task UpdateRestart_UnderASupervisor_Exits75()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home,
            environment: new Dictionary<string, string> { ["CLAWSHARP_SUPERVISOR"] = "builtin" });

        await CliRun.CallAsync(home, "gateway.restart.request", """{ "reason": "update" }""");

        Assert.Equal(75, await gateway.WaitForExitAsync());
        Assert.DoesNotContain("spawned a fresh process", gateway.Stdout.Text);
        Assert.Null(GatewayLock.ReadOwner(home.State.LockFile));
    }

    [Fact]
    public async Task UpdateRestart_WithNoRespawn_IsInProcess()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home,
            environment: new Dictionary<string, string> { [RestartModeSelector.NoRespawnVariable] = "1" });

        await CliRun.CallAsync(home, "gateway.restart.request", """{ "reason": "update" }""");

        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        await gateway.WaitForReadyAsync();
        Assert.Equal(gateway.Pid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
        Assert.DoesNotContain("spawned a fresh process", gateway.Stdout.Text);
    }

    [Fact]
    public async Task SpawnFailure_WritesABundle_WarnsWhy_AndRestartsInProcess()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home,
            environment: new Dictionary<string, string> { [GatewayFaults.EnvironmentVariable] = "spawn-fails" });
        var port = gateway.Port;

        gateway.Signal(Posix.SIGUSR1);

        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        await gateway.WaitForReadyAsync();
        Assert.Equal(port, gateway.Port);
        Assert.Contains("fresh-PID respawn failed: could not start a fresh process", gateway.Stderr.Text);
        var bundle = Assert.Single(Directory.GetFiles(home.State.BundlesDirectory, "*-respawn-failed.json"));
        Assert.StartsWith("could not start a fresh process",
            JsonDocument.Parse(File.ReadAllText(bundle)).RootElement.GetProperty("detail").GetString());
        // Not an update restart: nothing recorded for the CLI.
        Assert.False(File.Exists(home.State.UpdateFailedFile));
    }

    [Fact]
    public async Task StopDuringTheReadinessWait_KillsTheChild_AndExitsZero()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "spawnReadyTimeoutMs": 60000 } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home,
            environment: new Dictionary<string, string> { [GatewayFaults.EnvironmentVariable] = NeverReady });

        gateway.Signal(Posix.SIGUSR1);
        var line = await gateway.Stdout.WaitForAsync("restart: spawned a fresh process (pid ", Deadline);
        var childPid = int.Parse(line.Split("(pid ")[1].Split(')')[0], System.Globalization.CultureInfo.InvariantCulture);
        await gateway.Stderr.WaitForAsync("test fault spawned-child-never-ready", Deadline);
        gateway.Signal(Posix.SIGTERM);

        Assert.Equal(0, await gateway.WaitForProcessExitAsync(Deadline));
        Assert.True(IsGone(childPid), $"the child {childPid} is still alive");
        Assert.Contains("state Restarting -> Stopped (stop requested during the respawn)", gateway.Stdout.Text);
        Assert.Null(GatewayLock.ReadOwner(home.State.LockFile));
    }

    /// <summary>No such process, or only its zombie (whoever reaps orphans may not have yet).</summary>
    private static bool IsGone(int pid) => ProcessIdentity.Of(pid) is null;
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

public sealed class GatewayLockProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SecondGatewayOnOneHome_FailsFast_WithExitOne_AndNamesTheOwner()
    {
        using var home = new TempHome();
        await using var first = await GatewayProcess.StartGatewayAsync(home);

        await using var second = GatewayProcess.Start(home, ["gateway", "run", "--port", "0"]);

        Assert.Equal(1, await second.WaitForExitAsync());
        Assert.Contains($"gateway already running (pid {first.Pid}, port {first.Port})", second.Stderr.Text);
        Assert.Equal(first.Pid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
    }

    [Fact]
    public async Task SupervisedDuplicate_WhoseOwnerIsHealthy_ExitsSeventyEight()
    {
        using var home = new TempHome();
        await using var first = await GatewayProcess.StartGatewayAsync(home);

        await using var second = GatewayProcess.Start(home, ["gateway", "run", "--port", "0"],
            new Dictionary<string, string> { ["CLAWSHARP_SUPERVISOR"] = "builtin" });

        Assert.Equal(78, await second.WaitForExitAsync());
        Assert.Contains("gateway already running", second.Stderr.Text);
    }

    [Fact]
    public async Task AForegroundRun_BesideAGatewayThatSystemdManages_IsRefused_NamingTheManager_WithExitOne()
    {
        using var home = new TempHome();
        await using var managed = await GatewayProcess.StartGatewayAsync(home, environment: new Dictionary<string, string> { ["CLAWSHARP_SUPERVISOR"] = "systemd" });
        Assert.Equal("systemd", GatewayLock.ReadOwner(home.State.LockFile)!.Manager);

        await using var second = GatewayProcess.Start(home, ["gateway", "run", "--port", "0"]);

        Assert.Equal(1, await second.WaitForExitAsync());
        Assert.Contains($"gateway already running (pid {managed.Pid}, port {managed.Port}, managed by systemd)", second.AllOutput);
    }

    [Fact]
    public async Task LockNamingADeadPid_IsTakenOver_WithALogLine()
    {
        using var home = new TempHome();
        var dead = await DeadPidAsync();
        WriteLock(home, new LockOwner(dead, 12345, 1, "127.0.0.1", "0.0.0", DateTimeOffset.UtcNow));

        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        Assert.Contains($"took over stale gateway lock {home.State.LockFile}: pid {dead} is no longer running", gateway.Stderr.Text);
        Assert.Equal(gateway.Pid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
    }

    [Fact]
    public async Task LockNamingAPidReusedByAnotherProgram_IsTakenOver_AndThatProgramIsLeftAlone()
    {
        using var home = new TempHome();
        using var unrelated = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            var real = ProcessIdentity.Of(unrelated.Id)!;
            // The lock says the owner started at another time: the PID now belongs to `sleep`.
            WriteLock(home, new LockOwner(unrelated.Id, real.StartTime - 1000, 1, "127.0.0.1", "0.0.0", DateTimeOffset.UtcNow));

            await using var gateway = await GatewayProcess.StartGatewayAsync(home);

            Assert.Contains($"pid {unrelated.Id} now belongs to another program (sleep 120)", gateway.Stderr.Text);
            Assert.False(unrelated.HasExited);
        }
        finally
        {
            unrelated.Kill();
            unrelated.WaitForExit();
        }
    }

    [Fact]
    public async Task CorruptLockFile_IsTakenOver()
    {
        using var home = new TempHome();
        File.WriteAllText(home.State.LockFile, "{ this is not json");

        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        Assert.Contains("its content was unreadable", gateway.Stderr.Text);
    }

    [Fact]
    public async Task PortHeldByAnotherGateway_FailsWithExitOne_AndSaysWho()
    {
        using var homeA = new TempHome();
        using var homeB = new TempHome();
        await using var first = await GatewayProcess.StartGatewayAsync(homeA);

        await using var second = GatewayProcess.Start(homeB, ["gateway", "run", "--port", first.Port.ToString()]);

        Assert.Equal(1, await second.WaitForExitAsync());
        Assert.Contains($"port {first.Port} is already in use by pid {first.Pid} (a clawsharp gateway)", second.Stderr.Text);
        Assert.Null(GatewayLock.ReadOwner(homeB.State.LockFile));
    }

    [Fact]
    public async Task Force_StopsTheStaleGatewayOnTheSameHome_ThenStarts()
    {
        using var home = new TempHome();
        await using var stale = await GatewayProcess.StartGatewayAsync(home);

        await using var forced = await GatewayProcess.StartGatewayAsync(home, ["--force"]);

        Assert.Equal(0, await stale.WaitForExitAsync());
        Assert.Contains($"--force: stopping gateway pid {stale.Pid}", forced.Stderr.Text);
        Assert.Equal(forced.Pid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
    }

    [Fact]
    public async Task Force_FreesThePortFromAGatewayOfAnotherHome_ButNeverKillsAForeignProgram()
    {
        using var homeA = new TempHome();
        using var homeB = new TempHome();
        await using var stale = await GatewayProcess.StartGatewayAsync(homeA);
        var port = stale.Port;

        await using var forced = GatewayProcess.Start(homeB, ["gateway", "run", "--port", port.ToString(), "--force"]);
        await forced.WaitForReadyAsync();
        Assert.Equal(0, await stale.WaitForExitAsync());

        using var foreign = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        foreign.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        foreign.Listen();
        using var homeC = new TempHome();
        var foreignPort = ((IPEndPoint)foreign.LocalEndPoint!).Port;
        await using var refused = GatewayProcess.Start(homeC, ["gateway", "run", "--port", foreignPort.ToString(), "--force"]);
        Assert.Equal(1, await refused.WaitForExitAsync());
        Assert.Contains("which is not a clawsharp gateway; stop it yourself", refused.Stderr.Text);
    }

    private static void WriteLock(TempHome home, LockOwner owner) =>
        File.WriteAllText(home.State.LockFile, System.Text.Json.JsonSerializer.Serialize(owner, ClaimJsonContext.Default.LockOwner));

    private static async Task<int> DeadPidAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        return process.Id;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ClawSharp.Daemon;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Respawn;
using ClawSharp.Gateway.Restart;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary><c>clawsharp doctor</c> as a process: each finding from a planted fault, <c>--fix</c> repairs the safe ones, and a live gateway is never stopped.</summary>
public sealed class DoctorTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempHome home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task Fix_WithALiveGateway_RepairsTheTokenMode_AndLeavesTheSameGatewayServing()
    {
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        File.SetUnixFileMode(home.State.TokenFile, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (code, checks) = await DoctorAsync("--fix");

        Assert.Equal(0, code);
        Assert.True(checks["state-modes"].GetProperty("fixed").GetBoolean());
        Assert.Equal(Private, File.GetUnixFileMode(home.State.TokenFile));
        Assert.True(checks["port"].GetProperty("ok").GetBoolean());
        Assert.False(gateway.HasExited, gateway.AllOutput);
        Assert.Equal(gateway.Pid, GatewayLock.ReadOwner(home.State.LockFile)?.Pid);
        Assert.Equal(HttpStatusCode.OK, await gateway.StatusOfAsync("/readyz"));
        Assert.True(checks["stale-files"].GetProperty("ok").GetBoolean(), "the live gateway's lock was called stale");
    }

    [Fact]
    public async Task StateFilesThatDoNotRead_AreFound_ThenFixMovesThemAside_AndDoctorIsHealthy()
    {
        home.State.EnsureCreated();
        var intentFile = RestartIntentStore.PathOf(home.State);
        foreach (var file in new[] { home.State.LockFile, home.State.RestartingFile, intentFile, home.State.DaemonStateFile })
        {
            File.WriteAllText(file, "garbage{");
        }

        var (code, checks) = await DoctorAsync();
        Assert.Equal(1, code);
        var finding = checks["stale-files"].GetProperty("finding").GetString();
        Assert.Contains($"{home.State.LockFile} does not read as a lock owner", finding);
        Assert.Contains($"{home.State.RestartingFile} does not read", finding);
        Assert.Contains($"{intentFile} does not read", finding);
        Assert.Contains($"{home.State.DaemonStateFile} is corrupt", finding);

        var (fixedCode, fixedChecks) = await DoctorAsync("--fix");
        Assert.True(fixedCode == 0, fixedChecks["stale-files"].ToString());
        Assert.Equal(0, new FileInfo(home.State.LockFile).Length);
        foreach (var file in new[] { home.State.RestartingFile, intentFile, home.State.DaemonStateFile })
        {
            Assert.False(File.Exists(file), file);
            Assert.Equal("garbage{", File.ReadAllText(file + ".corrupt"));
        }
        Assert.Equal(0, (await DoctorAsync()).Code);
    }

    [Fact]
    public async Task PlantedStaleFilesAndModes_AreFound_ThenFixRepairsThem_AndDoctorIsHealthy()
    {
        var dead = await DeadPidAsync();
        home.State.EnsureCreated();
        File.WriteAllBytes(home.State.LockFile, JsonSerializer.SerializeToUtf8Bytes(
            new LockOwner(dead, 12345, 18790, "127.0.0.1", "0.1.0", DateTimeOffset.UtcNow), ClaimJsonContext.Default.LockOwner));
        File.WriteAllBytes(home.State.RestartingFile, JsonSerializer.SerializeToUtf8Bytes(
            new RestartingProcess(dead, 12345, DateTimeOffset.UtcNow), RespawnJsonContext.Default.RestartingProcess));
        File.WriteAllBytes(RestartIntentStore.PathOf(home.State), JsonSerializer.SerializeToUtf8Bytes(
            new RestartIntent("gateway-restart", dead, dead, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "planted", null, null), RestartJsonContext.Default.RestartIntent));
        DaemonStateFile.Write(home.State, new DaemonState { State = DaemonPhase.Running, SupervisorPid = dead, SupervisorStartTime = 12345, StartedAt = DateTimeOffset.UtcNow });
        File.WriteAllText(home.State.TokenFile, "planted-token");
        File.SetUnixFileMode(home.State.TokenFile, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(home.Root, File.GetUnixFileMode(home.Root) | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);

        var (code, checks) = await DoctorAsync();
        Assert.Equal(1, code);
        var stale = checks["stale-files"];
        Assert.False(stale.GetProperty("ok").GetBoolean());
        Assert.Contains($"gateway.lock names pid {dead}, which is no longer running", stale.GetProperty("finding").GetString());
        Assert.Contains($"restarting.json names pid {dead}", stale.GetProperty("finding").GetString());
        Assert.Contains($"restart-intent.json is a restart intent for pid {dead} that was never consumed", stale.GetProperty("finding").GetString());
        Assert.Contains("daemon.json says running but no supervisor runs", stale.GetProperty("finding").GetString());
        Assert.Equal("clawsharp doctor --fix", stale.GetProperty("fix").GetString());
        var modes = checks["state-modes"];
        Assert.Contains("token is 0644 (want 0600)", modes.GetProperty("finding").GetString());
        Assert.Contains("(want 0700)", modes.GetProperty("finding").GetString());
        Assert.Contains("chmod 0600", modes.GetProperty("fix").GetString());
        Assert.True(File.Exists(home.State.RestartingFile), "doctor without --fix changed something");

        var (fixedCode, fixedChecks) = await DoctorAsync("--fix");
        Assert.Equal(0, fixedCode);
        Assert.True(fixedChecks["stale-files"].GetProperty("fixed").GetBoolean());
        Assert.Equal(0, new FileInfo(home.State.LockFile).Length);
        Assert.False(File.Exists(home.State.RestartingFile));
        Assert.False(File.Exists(RestartIntentStore.PathOf(home.State)));
        Assert.True(DaemonStateFile.Read(home.State) is DaemonStateRead.Found { State.State: DaemonPhase.Stopped or DaemonPhase.Failed });
        Assert.Equal(Private, File.GetUnixFileMode(home.State.TokenFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(home.Root));

        Assert.Equal(0, (await DoctorAsync()).Code);
    }

    [Fact]
    public async Task APortTakenByAnotherListener_IsNamed_AndLeftByFix()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        home.WriteConfig($$"""{ "gateway": { "port": {{port}} } }""");

        var (code, checks) = await DoctorAsync("--fix");

        Assert.Equal(1, code);
        var finding = checks["port"];
        Assert.False(finding.GetProperty("ok").GetBoolean());
        Assert.False(finding.GetProperty("fixed").GetBoolean());
        Assert.Contains($"port {port} is taken by another program: pid {Environment.ProcessId}", finding.GetProperty("finding").GetString());
    }

    [Fact]
    public async Task ACorruptConfig_IsAFinding_NamingTheFile()
    {
        home.WriteConfig("{ \"gateway\": { \"port\": \"eighty\" ");

        var (code, checks) = await DoctorAsync();

        Assert.Equal(1, code);
        Assert.False(checks["config"].GetProperty("ok").GetBoolean());
        Assert.Contains("config.json", checks["config"].GetProperty("fix").GetString());
    }

    [Fact]
    public async Task RestartsDisabled_IsAFinding()
    {
        home.WriteConfig("""{ "commands": { "restart": false } }""");

        var (code, checks) = await DoctorAsync();

        Assert.Equal(1, code);
        Assert.Contains("commands.restart is false", checks["restarts"].GetProperty("finding").GetString());
    }

    [Fact]
    public async Task ADriftedLaunchdPlist_IsRewrittenByFix_KeepingServiceEnv_WithoutTouchingTheJob_OrTheServingGateway_AndDoctorIsHealthyAfter()
    {
        using var tools = new RecordingStandIn().Add("launchctl");
        // The stand-in launchd starts nothing: the install is written and recorded, and its wait for a gateway runs out at once.
        var environment = new Dictionary<string, string>
        {
            ["CLAWSHARP_SERVICE_PLATFORM"] = "launchd",
            ["PATH"] = tools.SearchPath,
            ["HOME"] = Directory.CreateDirectory(home.PathOf("user-home")).FullName,
        };
        var install = await CliRun.RunAsync(["gateway", "install", "--port", "0", "--timeout", "1ms", "--home", home.Root], environment);
        Assert.True(install.ExitCode == 1 && install.Stderr.Contains("is installed and started, but its gateway was not ready", StringComparison.Ordinal), install.ToString());
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var (code, checks) = await DoctorAsync(environment);
        Assert.True(checks["service"].GetProperty("ok").GetBoolean(), checks["service"].ToString());

        var plist = Directory.GetFiles(Path.Combine(home.Root, "user-home", "Library", "LaunchAgents"), "*.plist").Single();
        var installed = File.ReadAllText(plist);
        File.WriteAllText(plist, installed.Replace("<string>0</string>", "<string>9999</string>", StringComparison.Ordinal));
        var serviceEnv = Path.Combine(home.Root, "service.env");
        File.AppendAllText(serviceEnv, "PLANTED_SECRET=kept-by-doctor\n");

        (code, checks) = await DoctorAsync(environment);
        Assert.Equal(1, code);
        var found = checks["service"];
        Assert.Contains($"{plist} differs from what 'gateway install' writes now", found.GetProperty("finding").GetString());
        Assert.StartsWith("clawsharp doctor --fix", found.GetProperty("fix").GetString());
        Assert.NotEqual(installed, File.ReadAllText(plist));

        var callsBefore = tools.Calls.Count;
        (code, checks) = await DoctorAsync(environment, "--fix");

        var service = checks["service"];
        Assert.True(code == 0, service.ToString());
        Assert.True(service.GetProperty("fixed").GetBoolean());
        Assert.Contains("launchd reads the plist again when it next bootstraps the job", service.GetProperty("finding").GetString());
        Assert.Equal(installed, File.ReadAllText(plist));
        Assert.Equal(Private, File.GetUnixFileMode(plist));
        Assert.Contains("PLANTED_SECRET=kept-by-doctor", File.ReadAllText(serviceEnv));
        Assert.Equal(Private, File.GetUnixFileMode(serviceEnv));
        // Rewriting the plist must not take the job down: no bootout, bootstrap, kickstart or kill.
        Assert.DoesNotContain(tools.Calls.Skip(callsBefore), call => call.Count > 1 && call[1] is "bootout" or "bootstrap" or "kickstart" or "kill" or "unload" or "load");
        Assert.Contains($"the running gateway (pid {gateway.Pid}) keeps the definition it started with", service.GetProperty("finding").GetString());
        Assert.False(gateway.HasExited, gateway.AllOutput);
        Assert.Equal(gateway.Pid, GatewayLock.ReadOwner(home.State.LockFile)?.Pid);
        Assert.Equal(HttpStatusCode.OK, await gateway.StatusOfAsync("/readyz"));

        Assert.Equal(0, (await DoctorAsync(environment)).Code);
    }

    [Fact]
    public async Task ADriftedSystemdUnit_IsRewrittenAndReloadedByFix_AndTheServingGatewayIsNotStopped()
    {
        using var tools = new RecordingStandIn().Add("systemctl");
        // The stand-in systemd starts nothing: the units are written and recorded, the install's wait for a gateway runs
        // out at once, and the gateway below then serves this state directory.
        var environment = new Dictionary<string, string>
        {
            ["CLAWSHARP_SERVICE_PLATFORM"] = "systemd",
            ["PATH"] = tools.SearchPath,
            ["HOME"] = Directory.CreateDirectory(home.PathOf("user-home")).FullName,
            ["XDG_CONFIG_HOME"] = Directory.CreateDirectory(home.PathOf("xdg")).FullName,
        };
        var install = await CliRun.RunAsync(["gateway", "install", "--port", "0", "--timeout", "1ms", "--home", home.Root], environment);
        Assert.True(install.ExitCode == 1 && install.Stderr.Contains("is installed and started, but its gateway was not ready", StringComparison.Ordinal), install.ToString());
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var unit = Directory.GetFiles(Path.Combine(home.Root, "xdg", "systemd", "user"), "*.service").Single();
        var installed = File.ReadAllText(unit);
        File.WriteAllText(unit, installed.Replace("TimeoutStopSec=", "TimeoutStopSec=1\n# was: TimeoutStopSec=", StringComparison.Ordinal));
        Assert.NotEqual(installed, File.ReadAllText(unit));

        var callsBefore = tools.Calls.Count;
        var (code, checks) = await DoctorAsync(environment, "--fix");

        var service = checks["service"];
        Assert.True(code == 0, service.ToString());
        Assert.True(service.GetProperty("fixed").GetBoolean());
        Assert.Contains($"the running gateway (pid {gateway.Pid}) keeps the definition it started with", service.GetProperty("finding").GetString());
        Assert.Equal(installed, File.ReadAllText(unit));
        var calls = tools.Calls.Skip(callsBefore).ToList();
        Assert.Contains(calls, call => call.SequenceEqual(["systemctl", "--user", "daemon-reload"]));
        Assert.DoesNotContain(calls, call => call.Any(a => a is "stop" or "restart" or "try-restart" or "reload-or-restart" or "kill" or "disable" or "start"));
        Assert.False(gateway.HasExited, gateway.AllOutput);
        Assert.Equal(gateway.Pid, GatewayLock.ReadOwner(home.State.LockFile)?.Pid);
        Assert.Equal(HttpStatusCode.OK, await gateway.StatusOfAsync("/readyz"));

        Assert.Equal(0, (await DoctorAsync(environment)).Code);
    }

    [Fact]
    public async Task AnUnknownOption_IsAUsageError()
    {
        var result = await CliRun.RunAsync(home, "doctor", "--frobnicate");
        Assert.Equal(2, result.ExitCode);
    }

    private Task<(int Code, Dictionary<string, JsonElement> Checks)> DoctorAsync(params string[] args) => DoctorAsync(null, args);

    private async Task<(int Code, Dictionary<string, JsonElement> Checks)> DoctorAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var result = await CliRun.RunAsync(["doctor", "--json", .. args, "--home", home.Root], environment);
        var document = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(result.ExitCode == 0, document.GetProperty("healthy").GetBoolean());
        return (result.ExitCode, document.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone()));
    }

    private static async Task<int> DeadPidAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        return process.Id;
    }
}

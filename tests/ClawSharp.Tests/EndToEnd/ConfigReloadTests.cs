using System.Text.Json;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>Issue 19 item 1: the real gateway watches config.json and applies a change by gateway.reload.mode.</summary>
public sealed class ConfigReloadTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly Dictionary<string, string> NoRespawn = new() { ["CLAWSHARP_NO_RESPAWN"] = "1" };

    [Fact]
    public async Task HotChange_WrittenThroughATempFileAndRename_AppliesLive_WithoutARestart()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "cooldownMs": 0 } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        var before = await Status(home);
        Assert.Equal(0, before.GetProperty("config").GetProperty("echoDelayMs").GetInt64());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("config").GetProperty("reloadedAt").ValueKind);

        ReplaceConfig(home, """{ "gateway": { "reload": { "cooldownMs": 4321 } }, "logs": { "level": "debug" }, "agents": { "echo": { "delayMs": 50 }, "maxConcurrentRuns": 3 } }""");

        await Eventually.AssertAsync(async () => (await Status(home)).GetProperty("config").GetProperty("echoDelayMs").GetInt64() == 50, Deadline,
            "the new echo delay in status");
        var after = await Status(home);
        var config = after.GetProperty("config");
        Assert.Equal("debug", config.GetProperty("logLevel").GetString());
        Assert.Equal(4321, config.GetProperty("cooldownMs").GetInt64());
        Assert.Equal(3, config.GetProperty("maxConcurrentRuns").GetInt32());
        Assert.False(config.GetProperty("restartPending").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, config.GetProperty("reloadedAt").ValueKind);
        Assert.Equal(gateway.Pid, after.GetProperty("pid").GetInt32());
        Assert.Equal(0, after.GetProperty("restarts").GetInt32());
        Assert.Equal(before.GetProperty("bootId").GetString(), after.GetProperty("bootId").GetString());
        await gateway.Stdout.WaitForAsync("applied live: agents.echo.delayMs, agents.maxConcurrentRuns, gateway.reload.cooldownMs, logs.level", Deadline);
        // The level is live: debug lines (the loop's own, for an unchanged rewrite) now reach the log.
        ReplaceConfig(home, """{ "logs": { "level": "debug" }, "agents": { "maxConcurrentRuns": 3, "echo": { "delayMs": 50 } }, "gateway": { "reload": { "cooldownMs": 4321 } } }""");
        await gateway.Stdout.WaitForAsync("was written without a change in effect", Deadline);
        Assert.True((await CliRun.RunAsync(home, "send", "still here", "--wait")).ExitCode == 0);
    }

    [Fact]
    public async Task RestartChange_WithARunInFlight_Defers_ThenRestartsOnceAfterTheRun()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "cooldownMs": 0, "restartDelayMs": 0 } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        var sent = CliRun.RunAsync(home, "send", "/delay 4000 finished before the restart", "--session", "r", "--wait");
        await Eventually.AssertAsync(async () => (await Status(home)).GetProperty("work").GetProperty("activeRuns").GetInt32() == 1, Deadline, "the run");

        var set = await CliRun.RunAsync(home, "config", "set", "logs.maxBackups", "5");
        Assert.True(set.ExitCode == 0, set.ToString());

        await gateway.Stdout.WaitForAsync("logs.maxBackups changed in", Deadline);
        var pending = await Status(home);
        Assert.True(pending.GetProperty("config").GetProperty("restartPending").GetBoolean(), pending.ToString());
        Assert.Equal("logs.maxBackups", pending.GetProperty("config").GetProperty("pendingKeys")[0].GetString());
        Assert.Equal(0, pending.GetProperty("restarts").GetInt32());
        var reply = await sent;
        Assert.True(reply.ExitCode == 0, reply.ToString());
        Assert.Contains("finished before the restart", reply.Stdout);
        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        await gateway.WaitForReadyAsync();
        Assert.Contains(gateway.Stdout.Lines, l => l.Contains("config.reload", StringComparison.Ordinal));
        await Steadily.HoldsAsync(async () => (await Status(home)).GetProperty("restarts").GetInt32() == 1, TimeSpan.FromSeconds(3), "one restart");
        var after = await Status(home);
        Assert.False(after.GetProperty("config").GetProperty("restartPending").GetBoolean());
        Assert.Equal(gateway.Pid, after.GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task MaxConcurrentRuns_RaisedLive_StartsTheRunThatWaited()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "agents": { "maxConcurrentRuns": 1 } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        await CliRun.RunAsync(home, "send", "/delay 20000 one", "--session", "a");
        await CliRun.RunAsync(home, "send", "/delay 20000 two", "--session", "b");
        await Eventually.AssertAsync(async () => (await Status(home)).GetProperty("work").GetProperty("activeRuns").GetInt32() == 1, Deadline, "one run");
        Assert.Equal(2, (await Status(home)).GetProperty("work").GetProperty("queueSize").GetInt32());

        Assert.Equal(0, (await CliRun.RunAsync(home, "config", "set", "agents.maxConcurrentRuns", "2")).ExitCode);

        await Eventually.AssertAsync(async () => (await Status(home)).GetProperty("work").GetProperty("activeRuns").GetInt32() == 2, Deadline,
            "the second run started under the raised cap");
        Assert.Equal(0, (await Status(home)).GetProperty("restarts").GetInt32());
    }

    [Fact]
    public async Task RestartMode_RestartsForAHotKeyToo()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "mode": "restart", "cooldownMs": 0, "restartDelayMs": 0 } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);

        Assert.Equal(0, (await CliRun.RunAsync(home, "config", "set", "agents.echo.delayMs", "5")).ExitCode);

        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        await gateway.WaitForReadyAsync();
        var status = await Status(home);
        Assert.Equal(1, status.GetProperty("restarts").GetInt32());
        Assert.Equal(5, status.GetProperty("config").GetProperty("echoDelayMs").GetInt64());
        Assert.False(status.GetProperty("config").GetProperty("restartPending").GetBoolean());
    }

    [Fact]
    public async Task RestartChange_IsForcedAfterTheDeferralTimeout()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "cooldownMs": 0, "restartDelayMs": 0, "deferralTimeoutMs": 1000 } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        await CliRun.RunAsync(home, "send", "/delay 60000 too long to wait for", "--session", "long");
        await Eventually.AssertAsync(async () => (await Status(home)).GetProperty("work").GetProperty("activeRuns").GetInt32() == 1, Deadline, "the run");

        Assert.Equal(0, (await CliRun.RunAsync(home, "config", "set", "logs.maxBackups", "4")).ExitCode);

        // Well before the run's 60 s: the drain gave up after 1 s and the restart went on (the run is queued again).
        await gateway.Stdout.WaitForAsync("gateway restarted in process", TimeSpan.FromSeconds(20));
        await gateway.WaitForReadyAsync();
        Assert.Equal(1, (await Status(home)).GetProperty("restarts").GetInt32());
    }

    [Fact]
    public async Task HotMode_LogsThatARestartIsNeeded_AndDoesNotRestart()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "mode": "hot", "cooldownMs": 0, "restartDelayMs": 0 } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);

        Assert.Equal(0, (await CliRun.RunAsync(home, "config", "set", "logs.maxBackups", "7")).ExitCode);

        await gateway.Stderr.WaitForAsync("logs.maxBackups changed in", Deadline);
        Assert.Contains(gateway.Stderr.Lines, l => l.Contains("need a restart, which gateway.reload.mode hot does not do", StringComparison.Ordinal));
        await Steadily.HoldsAsync(async () =>
        {
            var status = await Status(home);
            return status.GetProperty("restarts").GetInt32() == 0 && status.GetProperty("config").GetProperty("restartPending").GetBoolean();
        }, TimeSpan.FromSeconds(3), "no restart, one pending");
    }

    [Fact]
    public async Task OffMode_IgnoresChanges()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "mode": "off" } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);

        Assert.Equal(0, (await CliRun.RunAsync(home, "config", "set", "agents.echo.delayMs", "75")).ExitCode);

        await gateway.Stdout.WaitForAsync("ignored: gateway.reload.mode is off", Deadline);
        var status = await Status(home);
        Assert.Equal(0, status.GetProperty("config").GetProperty("echoDelayMs").GetInt64());
        Assert.Equal(0, status.GetProperty("restarts").GetInt32());
    }

    [Fact]
    public async Task CommandLineOverride_StaysOnTopOfTheFile()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        var port = gateway.Port;

        home.WriteConfig("""{ "gateway": { "port": 18999 } }""");

        await gateway.Stdout.WaitForAsync("gateway.port changed in", Deadline);
        Assert.Contains(gateway.Stdout.Lines, l => l.Contains("the command line sets them", StringComparison.Ordinal));
        var status = await Status(home);
        Assert.Equal(port, status.GetProperty("port").GetInt32());
        Assert.False(status.GetProperty("config").GetProperty("restartPending").GetBoolean());
    }

    [Fact]
    public async Task BrokenChange_IsRefusedWithKeyAndFile_TheGatewayKeepsServing_ThenTheRepairApplies()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);

        home.WriteConfig("""{ "agents": { "maxConcurrentRuns": 0 } }""");
        var refused = await gateway.Stderr.WaitForAsync("is refused", Deadline);
        Assert.Contains("agents.maxConcurrentRuns", refused);
        Assert.Contains(home.State.ConfigFile, refused);
        var status = await Status(home);
        Assert.Contains("agents.maxConcurrentRuns", status.GetProperty("config").GetProperty("refused").GetString());
        Assert.True((await CliRun.RunAsync(home, "send", "serving", "--wait")).ExitCode == 0);

        home.WriteConfig("""{ "agents": { "maxConcurrentRuns": 2 """);
        await gateway.Stderr.WaitForAsync("is not valid JSON", Deadline);
        Assert.Equal(0, (await Status(home)).GetProperty("restarts").GetInt32());

        // 3, not the default: the wait must see the repair applied, not the value kept from before it.
        home.WriteConfig("""{ "agents": { "maxConcurrentRuns": 3 } }""");
        await Eventually.AssertAsync(async () => (await Status(home)).GetProperty("config").GetProperty("maxConcurrentRuns").GetInt32() == 3, Deadline,
            "the repaired value");
        var repaired = await Status(home);
        Assert.Equal(JsonValueKind.Null, repaired.GetProperty("config").GetProperty("refused").ValueKind);
        Assert.Equal(gateway.Pid, repaired.GetProperty("pid").GetInt32());
    }

    private static async Task<JsonElement> Status(TempHome home) => await CliRun.CallAsync(home, "status");

    /// <summary>Writes the file as editors do: a temp file beside it, renamed over it (a new inode).</summary>
    private static void ReplaceConfig(TempHome home, string json)
    {
        var temp = home.State.ConfigFile + ".tmp";
        File.WriteAllText(temp, json);
        File.Move(temp, home.State.ConfigFile, overwrite: true);
    }
}

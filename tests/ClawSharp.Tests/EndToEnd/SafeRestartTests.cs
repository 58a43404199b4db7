using System.Net.WebSockets;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Restart;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

public sealed class SafeRestartTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly Dictionary<string, string> NoRespawn = new() { ["CLAWSHARP_NO_RESPAWN"] = "1" };
    private const string NoCooldown = """{ "gateway": { "reload": { "cooldownMs": 0 } } }""";

    [Fact]
    public async Task SafeRestart_WithARunInFlight_Defers_RefusesNewWork_DeliversTheReply_ThenRestarts()
    {
        using var home = new TempHome();
        home.WriteConfig(NoCooldown);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
        await using var _ = client;
        await client.RequestAsync("chat.send", """{"sessionKey":"long","message":"/delay 6000 finished in time","idempotencyKey":"l1"}""");
        await Eventually.AssertAsync(async () => (await Preflight(home)).GetProperty("counts").GetProperty("embeddedRuns").GetInt32() == 1,
            Deadline, "the run to be counted");

        var preflight = await Preflight(home);
        Assert.False(preflight.GetProperty("safe").GetBoolean());
        Assert.Equal("restart deferred: 1 queued or active operation(s); 1 active embedded run(s)", preflight.GetProperty("summary").GetString());

        var safe = await CliRun.RunAsync(home, "gateway", "restart", "--safe", "--json");
        Assert.True(safe.ExitCode == 0, safe.ToString());
        var answer = JsonDocument.Parse(safe.Stdout).RootElement;
        Assert.Equal("deferred", answer.GetProperty("result").GetString());
        Assert.Equal("safe restart requested; gateway will restart after active work drains", answer.GetProperty("message").GetString());

        var refused = await client.RequestAsync("chat.send", """{"sessionKey":"other","message":"late"}""");
        Assert.Equal("GATEWAY_DRAINING", refused.GetProperty("error").GetProperty("code").GetString());
        Assert.True(refused.GetProperty("error").GetProperty("retryAfterMs").GetInt64() > 0);
        // A new client can still connect and read during the drain; only new work is refused.
        var (late, _) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
        await using (late)
        {
            Assert.True((await late.RequestAsync("health")).GetProperty("ok").GetBoolean());
            var lateSend = await late.RequestAsync("chat.send", """{"sessionKey":"x","message":"y"}""");
            Assert.Equal("GATEWAY_DRAINING", lateSend.GetProperty("error").GetProperty("code").GetString());
        }

        await client.ReadUntilClosedAsync(Deadline);
        var names = client.Events.Select(f => f.GetProperty("event").GetString()).ToList();
        Assert.True(names.IndexOf("chat") >= 0 && names.IndexOf("chat") < names.IndexOf("shutdown"), string.Join(",", names));
        Assert.Equal("finished in time", client.ChatEvents.Single().GetProperty("payload").GetProperty("message").GetProperty("content").GetString());
        Assert.Equal((WebSocketCloseStatus)1012, client.CloseStatus);
        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        await gateway.WaitForReadyAsync();
        Assert.True((await CliRun.RunAsync(home, "send", "after", "--wait")).ExitCode == 0);
    }

    [Fact]
    public async Task TwoSafeRequests_GiveOneRestart()
    {
        using var home = new TempHome();
        home.WriteConfig(NoCooldown);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        await CliRun.RunAsync(home, "send", "/delay 6000 hold", "--session", "h");
        await Eventually.AssertAsync(async () => (await Preflight(home)).GetProperty("counts").GetProperty("embeddedRuns").GetInt32() == 1, Deadline, "run");

        var first = await CliRun.RunAsync(home, "gateway", "restart", "--safe");
        var second = await CliRun.RunAsync(home, "gateway", "restart", "--safe");

        Assert.Contains("gateway will restart after active work drains", first.Stdout);
        Assert.Contains("safe restart request joined an existing pending gateway restart", second.Stdout);
        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        await gateway.WaitForReadyAsync();
        var status = (await CliRun.CallAsync(home, "status"));
        Assert.Equal(1, status.GetProperty("restarts").GetInt32());
    }

    [Fact]
    public async Task SafeRestartWithFollow_ShowsTheDrain_ThenTheGatewayBack()
    {
        using var home = new TempHome();
        home.WriteConfig(NoCooldown);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        await CliRun.RunAsync(home, "send", "/delay 6000 hold", "--session", "h");
        await Eventually.AssertAsync(async () => (await Preflight(home)).GetProperty("counts").GetProperty("embeddedRuns").GetInt32() == 1, Deadline, "run");

        var follow = await CliRun.RunAsync(home, "gateway", "restart", "--safe", "--follow");

        Assert.True(follow.ExitCode == 0, follow.ToString());
        var lines = follow.Stdout.Trim().Split('\n');
        Assert.Equal("safe restart requested; gateway will restart after active work drains", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("draining: restart deferred: ", StringComparison.Ordinal));
        Assert.Matches(@"^gateway back in \d+ ms \(pid \d+\)$", lines[^1]);
    }

    [Fact]
    public async Task SafeRestart_WhenIdle_IsScheduled()
    {
        using var home = new TempHome();
        home.WriteConfig(NoCooldown);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);

        var safe = await CliRun.RunAsync(home, "gateway", "restart", "--safe");

        Assert.Equal("safe restart requested; gateway will restart momentarily", safe.Stdout.Trim());
        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
    }

    [Fact]
    public async Task CappedWait_RestartsAfterTheCap_AndTheCutRunIsQueuedAgain()
    {
        using var home = new TempHome();
        home.WriteConfig(NoCooldown);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        await CliRun.RunAsync(home, "send", "/delay 4000 slow one", "--session", "w");
        await Eventually.AssertAsync(async () => (await Preflight(home)).GetProperty("counts").GetProperty("embeddedRuns").GetInt32() == 1, Deadline, "run");

        var restart = await CliRun.RunAsync(home, "gateway", "restart", "--wait", "500ms");

        Assert.True(restart.ExitCode == 0, restart.ToString());
        Assert.Contains("drain budget of 500 ms ran out with 1 run(s)", gateway.Stderr.Text);
        Assert.Contains("1 run(s) queued", gateway.Stdout.Text);
        await Eventually.AssertAsync(async () =>
            JsonDocument.Parse((await CliRun.RunAsync(home, "gateway", "call", "chat.history", "--params", """{"sessionKey":"w"}""")).Stdout)
                .RootElement.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("content").GetString() == "slow one"
                    && m.GetProperty("role").GetString() == "assistant"), Deadline, "the re-queued run to be answered");
    }

    [Fact]
    public async Task ForcedRestart_DoesNotWaitForTheRun()
    {
        using var home = new TempHome();
        home.WriteConfig(NoCooldown);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        await CliRun.RunAsync(home, "send", "/delay 60000 very slow", "--session", "f");
        await Eventually.AssertAsync(async () => (await Preflight(home)).GetProperty("counts").GetProperty("embeddedRuns").GetInt32() == 1, Deadline, "run");

        var restart = await CliRun.RunAsync(home, "gateway", "restart", "--force");

        Assert.True(restart.ExitCode == 0, restart.ToString());
        Assert.Contains("forced restart requested by SIGUSR1", gateway.Stdout.Text);
        Assert.DoesNotContain("Draining", gateway.Stdout.Text);
    }

    [Fact]
    public async Task IntentPlusSigterm_Restarts_InsteadOfStopping()
    {
        using var home = new TempHome();
        home.WriteConfig(NoCooldown);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        RestartIntentStore.Write(home.State, new RestartIntent("gateway-restart", gateway.Pid, Environment.ProcessId,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "test", null, null));

        gateway.Signal(Posix.SIGTERM);

        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        Assert.False(gateway.HasExited);
        Assert.False(File.Exists(RestartIntentStore.PathOf(home.State)));
        gateway.Signal(Posix.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync());
    }

    [Theory]
    [InlineData("stale")]
    [InlineData("corrupt")]
    [InlineData("other-pid")]
    public async Task StaleCorruptOrForeignIntent_IsIgnored_AndSigtermStops(string kind)
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        var path = RestartIntentStore.PathOf(home.State);
        switch (kind)
        {
            case "stale":
                RestartIntentStore.Write(home.State, new RestartIntent("gateway-restart", gateway.Pid, 1,
                    DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), null, null, null));
                break;
            case "corrupt":
                File.WriteAllText(path, "{ not json");
                break;
            default:
                RestartIntentStore.Write(home.State, new RestartIntent("gateway-restart", gateway.Pid + 100000, 1,
                    DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, null, null));
                break;
        }

        gateway.Signal(Posix.SIGTERM);

        Assert.Equal(0, await gateway.WaitForExitAsync());
        Assert.Contains("restart intent ignored", gateway.Stderr.Text);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task RestartsDisabled_RefuseTheRequestWithForbidden()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "commands": { "restart": false } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);

        var safe = await CliRun.RunAsync(home, "gateway", "restart", "--safe");

        Assert.Equal(1, safe.ExitCode);
        Assert.Contains("FORBIDDEN: restarts are disabled (commands.restart is false)", safe.Stderr);
    }

    [Fact]
    public async Task RunningTasksBlock_QueuedOnesDoNot()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "agents": { "maxConcurrentRuns": 1 } }""");
        const string Marker = "sleep 59.4242";
        try
        {
            await using var gateway = await GatewayProcess.StartGatewayAsync(home);
            var running = JsonDocument.Parse((await CliRun.RunAsync(home, "tasks", "run", Marker, "--label", "long", "--title", new string('t', 100), "--json")).Stdout)
                .RootElement.GetProperty("task").GetProperty("taskId").GetString();
            await CliRun.RunAsync(home, "tasks", "run", Marker, "--label", "waiting");
            await Eventually.AssertAsync(async () => (await Preflight(home)).GetProperty("counts").GetProperty("activeTasks").GetInt32() == 1, Deadline, "one running task");

            var preflight = await Preflight(home);
            var blockers = preflight.GetProperty("blockers").EnumerateArray().ToList();
            var taskBlocker = Assert.Single(blockers, b => b.TryGetProperty("task", out _));
            Assert.StartsWith($"taskId={running} runId=run_", taskBlocker.GetProperty("message").GetString());
            Assert.EndsWith($"label=long title={new string('t', 80)}", taskBlocker.GetProperty("message").GetString());
            Assert.Contains(blockers, b => b.GetProperty("message").GetString() == "1 active background task run(s)");
        }
        finally
        {
            StrayProcesses.Kill(Marker);
        }
    }

    [Theory]
    [InlineData("--safe --force", "--safe cannot be combined with --force; omit --safe to force restart now")]
    [InlineData("--safe --wait 1s", "--safe cannot be combined with --wait; safe restart uses gateway deferral")]
    [InlineData("--wait soon", "accepted forms: 500ms, 10s, 5m, 1h, or plain milliseconds")]
    [InlineData("--skip-deferral", "--skip-deferral only goes with --safe")]
    [InlineData("--follow", "--follow only goes with --safe")]
    public async Task RestartUsageErrors_ExitTwo(string flags, string message)
    {
        var result = await CliRun.RunAsync(["gateway", "restart", .. flags.Split(' ')]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    private static async Task<JsonElement> Preflight(TempHome home)
    {
        var result = await CliRun.RunAsync(home, "gateway", "preflight", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    [Fact]
    public async Task ARestartRequestedFromInsideAnAgentRun_DoesNotWaitOnItsOwnRun()
    {
        using var home = new TempHome();
        // The agent asks for a restart, then answers. Were the CLI to wait for the restart, the
        // restart would wait for this run, and the run for the CLI: nothing would move.
        var command = $"\"{TestPaths.ClawSharpBinary}\" gateway restart >/dev/null 2>&1; echo restart asked: $?";
        home.WriteConfig($$"""
            { "gateway": { "reload": { "cooldownMs": 0 } },
              "agents": { "default": "exec", "exec": { "command": {{JsonSerializer.Serialize(command)}}, "timeoutMs": 60000 } } }
            """);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        var bootBefore = (await CliRun.CallAsync(home, "status")).GetProperty("bootId").GetString();

        var send = await CliRun.RunAsync(["send", "please restart", "--session", "self", "--wait", "--timeout", "20s", "--home", home.Root]);

        Assert.True(send.ExitCode == 0, send.ToString());
        Assert.Equal("restart asked: 0", send.Stdout.Trim());
        await Eventually.AssertAsync(async () =>
        {
            var status = await CliRun.RunAsync(home, "gateway", "call", "status");
            return status.ExitCode == 0 && JsonDocument.Parse(status.Stdout).RootElement.GetProperty("bootId").GetString() != bootBefore;
        }, Deadline, "the restart to happen once the run ended");
        var history = await CliRun.CallAsync(home, "chat.history", """{ "sessionKey": "self" }""");
        Assert.Single(history.GetProperty("messages").EnumerateArray(), m => m.GetProperty("role").GetString() == "assistant");
    }
}

using System.Text.Json;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>Restarts under pressure (issue 17): bursts, escalations and restarts that could not come back, on real processes.</summary>
public sealed class RestartPressureTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(2);
    private static readonly string ShortCooldown = $$"""{ "gateway": { "reload": { "cooldownMs": {{(int)Cooldown.TotalMilliseconds}} } } }""";

    [Fact]
    public async Task FiveMixedRequestsAtOnce_AtAForegroundGateway_GiveOneRestart_AndEveryRequesterSucceeds()
    {
        using var home = new TempHome();
        home.WriteConfig(ShortCooldown);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        await BurstAsync(home, gateway.Pid, gateway.Port);
    }

    [Fact]
    public async Task FiveMixedRequestsAtOnce_AtADaemon_GiveOneRestart_AndEveryRequesterSucceeds()
    {
        using var home = new TempHome();
        home.WriteConfig(ShortCooldown);
        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0");
        Assert.True(start.ExitCode == 0, start.ToString());
        try
        {
            var owner = GatewayLock.ReadOwner(home.State.LockFile)!;
            await BurstAsync(home, owner.Pid, owner.Port);
        }
        finally
        {
            await CliRun.RunAsync(home, "gateway", "stop");
        }
    }

    [Fact]
    public async Task ARestartRequestWhoseReadRunsBehindTheClose_IsAnsweredCoalesced_NotCutOffBy1012()
    {
        // late-frame-read: the request's frame is read, but counted only once the restart's close
        // has begun, and 5 ms later: as when a loaded machine runs the read of a frame that had
        // already arrived behind the close. The close must still answer it before its close frame.
        // Before the fix (three yields) every attempt was cut off; the close now watches 50 ms, which a
        // machine loaded by the rest of the suite can still overrun now and then: three attempts.
        var failures = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await AnsweredBeforeTheCloseAsync() is not { } failure)
            {
                return;
            }
            failures.Add(failure);
        }
        Assert.Fail($"cut off in every attempt: {string.Join("; ", failures)}");
    }

    /// <summary>One attempt of the test above: null when answered coalesced, else what happened.</summary>
    private static async Task<string?> AnsweredBeforeTheCloseAsync()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: new Dictionary<string, string>
        {
            ["CLAWSHARP_NO_RESPAWN"] = "1",
            [GatewayFaults.EnvironmentVariable] = "late-frame-read",
        });
        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
        await using (client)
        {
            var asked = client.RequestAsync("gateway.restart.request", """{"reason":"read late"}""");
            gateway.Signal(Posix.SIGUSR1);
            JsonElement answer;
            try
            {
                answer = await asked.WaitAsync(Deadline);
            }
            catch (InvalidOperationException e)
            {
                return e.Message;
            }
            Assert.True(answer.GetProperty("ok").GetBoolean(), answer.ToString());
            Assert.Equal("coalesced", answer.GetProperty("payload").GetProperty("status").GetString());
        }
        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        return null;
    }

    [Fact]
    public async Task ForceDuringTheDrainOfASafeRestart_RestartsNow_AndTheCutRunIsQueuedAgain()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: new Dictionary<string, string> { ["CLAWSHARP_NO_RESPAWN"] = "1" });
        await using var client = await StartARunThatBlocksTheDrainAsync(home, gateway.Port);
        var safe = await CliRun.RunAsync(home, "gateway", "restart", "--safe", "--json");
        Assert.Equal("deferred", JsonDocument.Parse(safe.Stdout).RootElement.GetProperty("result").GetString());

        var forced = await CliRun.RunAsync(home, "gateway", "restart", "--force", "--json", "--timeout", "20s");

        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal("restarted", JsonDocument.Parse(forced.Stdout).RootElement.GetProperty("result").GetString());
        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        Assert.Contains("escalates the pending restart: force", gateway.Stderr.Text + gateway.Stdout.Text);
        Assert.Contains("1 run(s) queued", gateway.Stdout.Text.Split("state Restarting -> Starting")[1]);
    }

    [Fact]
    public async Task AWaitCapDuringTheDrainOfASafeRestart_ShortensIt()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: new Dictionary<string, string> { ["CLAWSHARP_NO_RESPAWN"] = "1" });
        await using var client = await StartARunThatBlocksTheDrainAsync(home, gateway.Port);
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "restart", "--safe")).ExitCode);

        var capped = await CliRun.RunAsync(home, "gateway", "restart", "--wait", "2s", "--timeout", "20s");

        Assert.True(capped.ExitCode == 0, capped.ToString());
        Assert.Contains("state Draining -> Restarting (drain capped)", gateway.Stdout.Text);
    }

    [Fact]
    public async Task ARestartThatCouldNotComeBack_IsRefusedAtOnce_WithTheKeyAndTheFile_AndTheGatewayKeepsServing()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var bootBefore = await BootIdAsync(home);
        home.WriteConfig("""{ "gateway": { "port": "not a port" } }""");

        var plain = await CliRun.RunAsync(home, "gateway", "restart", "--force");
        var safe = await CliRun.RunAsync(home, "gateway", "restart", "--safe");
        gateway.Signal(Posix.SIGUSR1);
        await gateway.Stderr.WaitForAsync("refused: the next start would fail", Deadline);

        Assert.Equal(1, plain.ExitCode);
        Assert.Contains("restart refused: the next start would fail: gateway.port", plain.Stderr);
        Assert.Contains(home.State.ConfigFile, plain.Stderr);
        Assert.Equal(1, safe.ExitCode);
        Assert.Contains("restart refused: the next start would fail: gateway.port", safe.Stderr);
        Assert.False(gateway.HasExited);
        Assert.Equal(bootBefore, await BootIdAsync(home));
        // The preflight says so before anyone asks for the restart.
        var preflight = await CliRun.RunAsync(home, "gateway", "preflight", "--json");
        Assert.True(preflight.ExitCode == 0, preflight.ToString());
        Assert.Contains("gateway.port", JsonDocument.Parse(preflight.Stdout).RootElement.GetProperty("nextStartProblem").GetString());
        Assert.Contains("a restart would be refused now: the next start would fail", (await CliRun.RunAsync(home, "gateway", "preflight")).Stdout);
    }

    /// <summary>A client whose run (the echo agent's <c>/delay 60000</c>) keeps any drain waiting, once the gateway counts it.</summary>
    private static async Task<RawProtocolClient> StartARunThatBlocksTheDrainAsync(TempHome home, int port)
    {
        var (client, _) = await RawProtocolClient.ConnectAsync(port, TokenStore.TryRead(home.State)!);
        await client.RequestAsync("chat.send", """{"sessionKey":"long","message":"/delay 60000 never in time","idempotencyKey":"k1"}""");
        await Eventually.AssertAsync(async () => (await CliRun.CallAsync(home, "gateway.restart.preflight")).GetProperty("counts").GetProperty("embeddedRuns").GetInt32() == 1,
            Deadline, "the run to be counted");
        return client;
    }

    /// <summary>Two <c>restart --safe --json</c> CLIs, two raw RPCs and a SIGUSR1, fired together.</summary>
    private static async Task BurstAsync(TempHome home, int pid, int port)
    {
        var token = TokenStore.TryRead(home.State)!;
        var bootBefore = await BootIdAsync(home);
        var (a, _) = await RawProtocolClient.ConnectAsync(port, token);
        var (b, _) = await RawProtocolClient.ConnectAsync(port, token);
        await using (a)
        await using (b)
        {
            var clis = new[]
            {
                CliRun.RunAsync(home, "gateway", "restart", "--safe", "--json"),
                CliRun.RunAsync(home, "gateway", "restart", "--safe", "--json"),
            };
            var rpcs = new[]
            {
                a.RequestAsync("gateway.restart.request", """{"reason":"burst a"}"""),
                b.RequestAsync("gateway.restart.request", """{"reason":"burst b"}"""),
            };
            Posix.Kill(pid, Posix.SIGUSR1);

            foreach (var answer in await Task.WhenAll(rpcs).WaitAsync(Deadline))
            {
                Assert.True(answer.GetProperty("ok").GetBoolean(), answer.ToString());
                Assert.Contains(answer.GetProperty("payload").GetProperty("status").GetString(), new[] { "scheduled", "deferred", "coalesced" });
            }
            foreach (var cli in await Task.WhenAll(clis).WaitAsync(Deadline))
            {
                Assert.True(cli.ExitCode == 0, cli.ToString());
                Assert.True(JsonDocument.Parse(cli.Stdout).RootElement.GetProperty("ok").GetBoolean(), cli.ToString());
            }
        }
        string? bootAfter = null;
        await Eventually.AssertAsync(async () => (bootAfter = await BootIdAsync(home)) is { } now && now != bootBefore, Deadline, "the restart");
        // Past the cooldown twice over: a request that joined late must not bring a second restart.
        await Steadily.HoldsAsync(async () => await BootIdAsync(home) is not { } now || now == bootAfter, Cooldown * 2 + TimeSpan.FromSeconds(1),
            "one restart only (the boot id stays)");
    }

    /// <summary>The boot id of the generation serving now; null while none answers.</summary>
    private static async Task<string?> BootIdAsync(TempHome home)
    {
        if (GatewayLock.ReadOwner(home.State.LockFile) is not { Port: > 0 } owner)
        {
            return null;
        }
        try
        {
            var (client, hello) = await RawProtocolClient.ConnectAsync(owner.Port, TokenStore.TryRead(home.State)!);
            await using (client)
            {
                return hello.GetProperty("server").GetProperty("bootId").GetString();
            }
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or InvalidOperationException or Xunit.Sdk.XunitException
            or System.Net.Http.HttpRequestException or IOException)
        {
            return null;
        }
    }
}

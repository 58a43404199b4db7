using System.Net;
using System.Text;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

public sealed class WorkModelTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Send_Wait_PrintsTheEchoReply_AndHistoryHasBothSides()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var send = await CliRun.RunAsync(home, "send", "hello there", "--session", "s1", "--wait");

        Assert.True(send.ExitCode == 0, send.ToString());
        Assert.Equal("hello there", send.Stdout.Trim());
        var history = JsonDocument.Parse((await CliRun.RunAsync(home, "gateway", "call", "chat.history", "--params", """{"sessionKey":"s1"}""")).Stdout);
        var messages = history.RootElement.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["user", "assistant"], messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(messages[0].GetProperty("messageId").GetString(), messages[1].GetProperty("messageId").GetString());
    }

    [Fact]
    public async Task RunsOfOneSession_NeverOverlap_AndSessionsRunInParallel()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "agents": { "maxConcurrentRuns": 4 } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
        await using var _ = client;

        foreach (var text in new[] { "a1", "a2", "a3" })
        {
            await Send(client, "A", $"/delay 400 {text}");
        }
        await Send(client, "B", "/delay 400 b1");

        var events = await client.WaitForChatEventsAsync(4, Deadline);
        var order = events.Select(e => e.GetProperty("payload").GetProperty("message").GetProperty("content").GetString()).ToList();
        Assert.Equal(["a1", "a2", "a3"], order.Where(t => t!.StartsWith('a')));
        // b1 ran beside a1, so it finished long before a3, which waited behind a1 and a2.
        Assert.True(order.IndexOf("b1") < order.IndexOf("a3"), string.Join(",", order));
    }

    [Fact]
    public async Task SameIdempotencyKeyTwice_ReturnsTheFirstMessage_AndCreatesNothing()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
        await using var _ = client;

        var first = (await Send(client, "s", "once", "key-1")).GetProperty("payload");
        var second = (await Send(client, "s", "once", "key-1")).GetProperty("payload");

        Assert.Equal(first.GetProperty("messageId").GetString(), second.GetProperty("messageId").GetString());
        Assert.Equal(first.GetProperty("runId").GetString(), second.GetProperty("runId").GetString());
        Assert.False(first.GetProperty("duplicate").GetBoolean());
        Assert.True(second.GetProperty("duplicate").GetBoolean());
        await client.WaitForChatEventsAsync(1, Deadline);
        var history = (await client.RequestAsync("chat.history", """{"sessionKey":"s"}""")).GetProperty("payload").GetProperty("messages");
        Assert.Equal(2, history.GetArrayLength());
    }

    [Fact]
    public async Task InvalidOrOversizedMessages_AreRefusedWithAClearError()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
        await using var _ = client;

        var missing = await client.RequestAsync("chat.send", """{"message":"x"}""");
        Assert.Equal("invalid chat.send params: sessionKey is required", missing.GetProperty("error").GetProperty("message").GetString());
        var big = await client.RequestAsync("chat.send", $$"""{"sessionKey":"s","message":"{{new string('x', 300 * 1024)}}"}""");
        Assert.Equal("invalid chat.send params: message is too large: the limit is 262144 bytes",
            big.GetProperty("error").GetProperty("message").GetString());
        var badAgent = await client.RequestAsync("chat.send", """{"sessionKey":"s","message":"x","agent":"gpt"}""");
        Assert.StartsWith("invalid chat.send params: agent must be one of", badAgent.GetProperty("error").GetProperty("message").GetString());
        // An empty idempotency key would make the next message with one a "duplicate" of this one.
        var emptyKey = await client.RequestAsync("chat.send", """{"sessionKey":"s","message":"first","idempotencyKey":""}""");
        Assert.Equal("invalid chat.send params: idempotencyKey must not be empty: leave it out, or give each message its own",
            emptyKey.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task EchoFail_FailsTheRun_AndAbortEndsALongRun()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
        await using var _ = client;

        await Send(client, "f", "/fail broken on purpose");
        var failed = (await client.WaitForChatEventsAsync(1, Deadline))[0].GetProperty("payload");
        Assert.Equal("error", failed.GetProperty("state").GetString());
        Assert.Equal("broken on purpose", failed.GetProperty("errorMessage").GetString());

        var runId = (await Send(client, "slow", "/delay 60000 never")).GetProperty("payload").GetProperty("runId").GetString();
        await Eventually.AssertAsync(async () => (await Status(client)).GetProperty("activeRuns").GetInt32() == 1, Deadline, "the run to start");
        var abort = await client.RequestAsync("chat.abort", """{"sessionKey":"slow"}""");
        Assert.Equal([runId], abort.GetProperty("payload").GetProperty("aborted").EnumerateArray().Select(a => a.GetString()));
        var aborted = (await client.WaitForChatEventsAsync(2, Deadline))[1].GetProperty("payload");
        Assert.Equal("aborted", aborted.GetProperty("state").GetString());
        Assert.Equal(runId, aborted.GetProperty("runId").GetString());
    }

    [Fact]
    public async Task ExecAgent_RepliesFromStdout_ReportsAFailingCommand_AndTimesOut()
    {
        using var home = new TempHome();
        home.WriteConfig("""
            { "agents": { "default": "exec", "exec": { "command": "m=$(cat); case \"$m\" in fail) echo bad >&2; exit 3;; slow) sleep 30;; *) printf %s \"$m\" | tr a-z A-Z;; esac", "timeoutMs": 1000 } } }
            """);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var ok = await CliRun.RunAsync(home, "send", "shout", "--session", "e1", "--wait");
        var fail = await CliRun.RunAsync(home, "send", "fail", "--session", "e2", "--wait");
        var slow = await CliRun.RunAsync(home, "send", "slow", "--session", "e3", "--wait");

        Assert.Equal("SHOUT", ok.Stdout.Trim());
        Assert.Equal(1, fail.ExitCode);
        Assert.Contains("exec agent exited with code 3: bad", fail.Stderr);
        Assert.Equal(1, slow.ExitCode);
        Assert.Contains("exec agent timed out after 1000 ms", slow.Stderr);
    }

    [Fact]
    public async Task OpenAiAgent_TalksToAnOpenAiCompatibleServer_WithTheKeyFromTheEnvironment()
    {
        static string Completion(string text) =>
            JsonSerializer.Serialize(new { choices = new[] { new { message = new { role = "assistant", content = text } } } });
        using var api = new TestHttpServer(request => request.Path == "/v1/chat/completions"
            ? (200, Completion("model says: " + JsonDocument.Parse(request.Body).RootElement.GetProperty("messages")[0].GetProperty("content").GetString()))
            : (404, "{}"));
        using var home = new TempHome();
        home.WriteConfig($$"""{ "agents": { "openai": { "baseUrl": "{{api.BaseUrl}}/v1", "model": "tiny" } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test" });

        var result = await CliRun.RunAsync(home, "send", "hi", "--agent", "openai", "--wait");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("model says: hi", result.Stdout.Trim());
        var request = Assert.Single(api.Requests);
        Assert.Equal("Bearer sk-test", request.Authorization);
        Assert.Equal("tiny", JsonDocument.Parse(request.Body).RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task HttpIngress_NeedsTheBearerToken_IsIdempotent_AndRefusesBadBodies()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        using var http = new HttpClient();
        var token = TokenStore.TryRead(home.State)!;

        Task<HttpResponseMessage> Post(string body, string? bearer) => PostMessageAsync(http, gateway, body, bearer);

        const string Body = """{"sessionKey":"web","message":"hi","idempotencyKey":"w1"}""";
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(Body, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(Body, "wrong")).StatusCode);
        var first = await Post(Body, token);
        var again = await Post(Body, token);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var firstIds = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        var againIds = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(firstIds.GetProperty("messageId").GetString(), againIds.GetProperty("messageId").GetString());
        Assert.True(againIds.GetProperty("duplicate").GetBoolean());

        // Twelve failures in all: past the tenth they are throttled, and the correct token still gets in (issue 21).
        var guesses = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++)
        {
            guesses.Add(await Post(Body, $"guess-{i}"));
        }
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 8), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            guesses.Select(g => g.StatusCode));
        var limited = guesses[^1];
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Contains("RATE_LIMITED", await limited.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Accepted, (await Post(Body, token)).StatusCode);
    }

    [Fact]
    public async Task HttpIngress_RefusesMalformedBodies()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        using var http = new HttpClient();
        var token = TokenStore.TryRead(home.State)!;

        Task<HttpResponseMessage> Post(string body, string? bearer) => PostMessageAsync(http, gateway, body, bearer);

        var malformed = await Post("{nope", token);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("body is not valid JSON", await malformed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("""{"sessionKey":"web"}""", token)).StatusCode);
        var emptyKey = await Post("""{"sessionKey":"web","message":"first","idempotencyKey":" "}""", token);
        Assert.Equal(HttpStatusCode.BadRequest, emptyKey.StatusCode);
        Assert.Contains("idempotencyKey must not be empty", await emptyKey.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WhileTheGatewayDrains_NewWorkIsRefusedWithGatewayDraining_AndRetryAfter()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "shutdown": { "timeoutMs": 20000 } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home,
            environment: new Dictionary<string, string> { ["CLAWSHARP_TEST_FAULTS"] = "hang-on-stop" });
        using var http = new HttpClient();
        var token = TokenStore.TryRead(home.State)!;
        var port = gateway.Port;

        gateway.Signal(Posix.SIGTERM);
        await gateway.Stdout.WaitForAsync("state Running -> Closing", Deadline);

        HttpResponseMessage? response = null;
        await Eventually.AssertAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{port}/v1/messages"))
            {
                Content = new StringContent("""{"sessionKey":"d","message":"late"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", token);
            response = await http.SendAsync(request);
            return response.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, Deadline, "a 503 while draining");
        var error = JsonDocument.Parse(await response!.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("GATEWAY_DRAINING", error.GetProperty("code").GetString());
        Assert.Equal("Gateway is draining for restart; new tasks are not accepted", error.GetProperty("message").GetString());
        Assert.True(error.GetProperty("retryable").GetBoolean());
        Assert.True(error.GetProperty("retryAfterMs").GetInt64() > 0);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task WebhookReplies_AreRetriedUntil2xx_AndSurviveARestart()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "webhooks": { "allowLoopback": true } }""");
        var hookPort = TestHttpServer.FreePort();
        await using (var gateway = await GatewayProcess.StartGatewayAsync(home))
        {
            // Nothing listens on the webhook port yet: the reply stays pending.
            var sent = await CliRun.RunAsync(home, "gateway", "call", "chat.send", "--params",
                $$"""{"sessionKey":"hook","message":"for the hook","idempotencyKey":"h1","webhookUrl":"http://127.0.0.1:{{hookPort}}/hook"}""");
            Assert.True(sent.ExitCode == 0, sent.ToString());
            await gateway.Stderr.WaitForAsync("to webhook", Deadline);
            var status = (await CliRun.CallAsync(home, "status"));
            Assert.Equal(1, status.GetProperty("work").GetProperty("pendingReplies").GetInt64());
            gateway.Signal(Posix.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync());
        }

        var calls = 0;
        using var hook = new TestHttpServer(_ => Interlocked.Increment(ref calls) == 1 ? (500, "{}") : (200, "{}"), hookPort);
        await using var restarted = await GatewayProcess.StartGatewayAsync(home);

        await Eventually.AssertAsync(() => hook.Requests.Count >= 2, Deadline, "the webhook to be retried after a 500");
        var bodies = hook.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.All(bodies, b => Assert.Equal("for the hook", b.GetProperty("text").GetString()));
        Assert.Single(bodies.Select(b => b.GetProperty("messageId").GetString()).Distinct());
        await Eventually.AssertAsync(async () =>
            (await CliRun.CallAsync(home, "status"))
                .GetProperty("work").GetProperty("pendingReplies").GetInt64() == 0, Deadline, "no pending reply");
    }

    [Fact]
    public async Task CorruptStore_StopsTheStart_NamingTheFile()
    {
        using var home = new TempHome();
        File.WriteAllText(home.State.StoreFile, "this is not an sqlite database, not at all, no header here");

        var result = await CliRun.RunAsync(home, "gateway", "run", "--port", "0");

        Assert.Equal(78, result.ExitCode);
        Assert.Contains($"the store {home.State.StoreFile} is corrupt", result.Stderr);
        Assert.Equal("this is not an sqlite database, not at all, no header here", File.ReadAllText(home.State.StoreFile));
    }

    [Fact]
    public async Task LockedStore_StopsTheStart_NamingTheFile()
    {
        using var home = new TempHome();
        using var holder = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={home.State.StoreFile}");
        holder.Open();
        using (var create = holder.CreateCommand())
        {
            create.CommandText = "CREATE TABLE held (x); BEGIN EXCLUSIVE; INSERT INTO held VALUES (1);";
            create.ExecuteNonQuery();
        }

        var result = await CliRun.RunAsync(home, "gateway", "run", "--port", "0");

        Assert.Equal(78, result.ExitCode);
        Assert.Contains($"the store {home.State.StoreFile} is locked by another process", result.Stderr);
    }

    [Fact]
    public async Task Sigusr1Restart_DrainsTheRunningRunFirst_AndItIsAnsweredOnce()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: new Dictionary<string, string> { ["CLAWSHARP_NO_RESPAWN"] = "1" });
        var sent = await CliRun.RunAsync(home, "gateway", "call", "chat.send", "--params", """{"sessionKey":"r","message":"/delay 1500 survived","idempotencyKey":"r1"}""");
        Assert.True(sent.ExitCode == 0, sent.ToString());
        await Eventually.AssertAsync(async () =>
            (await CliRun.CallAsync(home, "status"))
                .GetProperty("work").GetProperty("activeRuns").GetInt32() == 1, Deadline, "the run to start");

        gateway.Signal(Posix.SIGUSR1);
        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);

        // SIGUSR1 goes through the restart coordinator: the run finished before the server closed.
        Assert.Contains("drain complete in", gateway.Stdout.Text);
        Assert.Contains("0 interrupted run(s) queued again, 0 failed, 0 run(s) queued", gateway.Stdout.Text.Split("gateway restarted in process")[0].Split("state Restarting")[1]);
        await Eventually.AssertAsync(async () =>
        {
            var history = JsonDocument.Parse((await CliRun.RunAsync(home, "gateway", "call", "chat.history", "--params", """{"sessionKey":"r"}""")).Stdout);
            return history.RootElement.GetProperty("messages").EnumerateArray().Count(m => m.GetProperty("role").GetString() == "assistant") == 1;
        }, Deadline, "one reply after the restart");
    }

    private static async Task<HttpResponseMessage> PostMessageAsync(HttpClient http, GatewayProcess gateway, string body, string? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.HttpUrl("/v1/messages")) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (bearer is not null)
        {
            request.Headers.Authorization = new("Bearer", bearer);
        }
        return await http.SendAsync(request);
    }

    private static Task<JsonElement> Send(RawProtocolClient client, string session, string text, string? key = null) =>
        client.RequestAsync("chat.send", JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["sessionKey"] = session,
            ["message"] = text,
            ["idempotencyKey"] = key ?? Guid.NewGuid().ToString("N"),
        }));

    private static async Task<JsonElement> Status(RawProtocolClient client) =>
        (await client.RequestAsync("status")).GetProperty("payload").GetProperty("work");
}

using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// Replies to webhooks on the real binary (issue 21 items 5, 6, 11): a dead webhook delays only
/// its own replies, attempts and age end in a failed reply, the answer's body is never read,
/// the URL is the message's own, no redirect is followed, private addresses are refused, and
/// idempotency keys are per session.
/// </summary>
public sealed class WebhookDeliveryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const string LoopbackAllowed = """{ "webhooks": { "allowLoopback": true } }""";

    [Fact]
    public async Task ADeadWebhookOfOneSession_DoesNotDelayAnotherSessionsReply()
    {
        using var home = new TempHome();
        home.WriteConfig(LoopbackAllowed);
        using var dead = new RawHttpSink(_ => SinkAnswer.Never);
        using var live = new RawHttpSink(_ => SinkAnswer.Ok);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        await using var client = await ConnectAsync(gateway, home);

        foreach (var text in new[] { "a1", "a2", "a3" })
        {
            await SendAsync(client, "A", text, dead.Url());
        }
        await Eventually.AssertAsync(() => !dead.Requests.IsEmpty, Deadline, "the dead webhook to be tried");
        var sent = Stopwatch.StartNew();
        await SendAsync(client, "B", "b1", live.Url());

        // Before: one reply at a time, 10 s per dead POST, so b1 waited about 30 s behind a1..a3.
        await Eventually.AssertAsync(() => !live.Requests.IsEmpty, TimeSpan.FromSeconds(5), "session B's reply at its webhook");
        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(5), $"B's reply took {sent.Elapsed}");
        Assert.Equal("b1", Text(live.Requests.Single()));
    }

    [Fact]
    public async Task Attempts_AreCapped_ThenTheReplyIsFailed_InHistoryAndStatus()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "webhooks": { "allowLoopback": true, "maxAttempts": 2 } }""");
        using var sink = new RawHttpSink(_ => new SinkAnswer(500));
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        await using var client = await ConnectAsync(gateway, home);

        await SendAsync(client, "f", "to a broken hook", sink.Url());

        await Eventually.AssertAsync(async () => (await WorkAsync(client)).GetProperty("failedReplies").GetInt64() == 1, Deadline, "the reply to be failed");
        var work = await WorkAsync(client);
        Assert.Equal(0, work.GetProperty("pendingReplies").GetInt64());
        Assert.Equal(2, sink.Requests.Count);
        var reply = await AssistantAsync(client, "f");
        Assert.Equal("failed", reply.GetProperty("delivery").GetString());
        Assert.Equal("HTTP 500", reply.GetProperty("deliveryError").GetString());
        Assert.Contains("failed for good after 2 attempt(s)", gateway.Stderr.Text + gateway.Stdout.Text);
    }

    [Fact]
    public async Task AHugeWebhookAnswer_IsNotRead_AndGatewayMemoryStaysFlat()
    {
        using var home = new TempHome();
        home.WriteConfig(LoopbackAllowed);
        const long BodyBytes = 600L * 1024 * 1024;
        using var sink = new RawHttpSink(_ => new SinkAnswer(200, BodyBytes: BodyBytes));
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        await using var client = await ConnectAsync(gateway, home);
        await SendAsync(client, "warm", "warm up");
        await client.WaitForChatEventsAsync(1, Deadline);
        var before = RssBytes(gateway.Pid);
        var peak = before;

        await SendAsync(client, "huge", "to a hook that answers 600 MB", sink.Url());

        await Eventually.AssertAsync(async () =>
        {
            peak = Math.Max(peak, RssBytes(gateway.Pid));
            return !sink.Requests.IsEmpty && (await WorkAsync(client)).GetProperty("pendingReplies").GetInt64() == 0;
        }, Deadline, "the reply delivered on its status line");
        peak = Math.Max(peak, RssBytes(gateway.Pid));
        Assert.True(peak - before < 100L * 1024 * 1024, $"RSS went from {before >> 20} MB to {peak >> 20} MB");
        Assert.True(sink.BodyBytesSent < BodyBytes, $"the whole body was read ({sink.BodyBytesSent} bytes)");
        Assert.Equal("delivered", (await AssistantAsync(client, "huge")).GetProperty("delivery").GetString());
    }

    [Fact]
    public async Task AFailedDelivery_LogsTheWebhooksOriginOnly_NeverItsUserInfoPathOrQuery()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "webhooks": { "allowLoopback": true, "maxAttempts": 2 } }""");
        using var sink = new RawHttpSink(_ => new SinkAnswer(500));
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        await using var client = await ConnectAsync(gateway, home);

        await SendAsync(client, "l", "x", $"http://hookuser:hunter2@127.0.0.1:{sink.Port}/secret-path?token=abc123");

        await Eventually.AssertAsync(() => gateway.Stderr.Text.Contains("failed for good"), Deadline, "the delivery to fail for good");
        var logs = gateway.Stdout.Text + gateway.Stderr.Text + string.Join("\n", Directory.GetFiles(home.State.Root, "*.log", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.Contains($"to webhook http://127.0.0.1:{sink.Port} failed", logs);
        Assert.DoesNotContain("hunter2", logs);
        Assert.DoesNotContain("hookuser", logs);
        Assert.DoesNotContain("secret-path", logs);
        Assert.DoesNotContain("abc123", logs);
    }

    [Fact]
    public async Task ASecondSender_CannotRedirectTheFirstSendersPendingReply()
    {
        using var home = new TempHome();
        home.WriteConfig(LoopbackAllowed);
        using var first = new RawHttpSink(_ => SinkAnswer.Ok);
        using var second = new RawHttpSink(_ => SinkAnswer.Ok);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        await using var client = await ConnectAsync(gateway, home);

        await SendAsync(client, "hook", "/delay 1500 for the first sender", first.Url());
        await SendAsync(client, "hook", "for the second sender", second.Url());

        await Eventually.AssertAsync(() => first.Requests.Count == 1 && second.Requests.Count == 1, Deadline, "one reply at each webhook");
        Assert.Equal("for the first sender", Text(first.Requests.Single()));
        Assert.Equal("for the second sender", Text(second.Requests.Single()));
    }

    [Fact]
    public async Task ARedirect_IsNotFollowed_ItIsAFailedAttempt()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "webhooks": { "allowLoopback": true, "maxAttempts": 1 } }""");
        using var elsewhere = new RawHttpSink(_ => SinkAnswer.Ok);
        using var redirecting = new RawHttpSink(_ => new SinkAnswer(302, Location: elsewhere.Url("/stolen")));
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        await using var client = await ConnectAsync(gateway, home);

        await SendAsync(client, "r", "not to be forwarded", redirecting.Url());

        await Eventually.AssertAsync(async () => (await WorkAsync(client)).GetProperty("failedReplies").GetInt64() == 1, Deadline, "the reply to be failed");
        Assert.Single(redirecting.Requests);
        Assert.Empty(elsewhere.Requests);
        Assert.Equal("HTTP 302 (redirects are not followed)", (await AssistantAsync(client, "r")).GetProperty("deliveryError").GetString());
    }

    [Fact]
    public async Task PrivateAndLoopbackWebhooks_AreRefusedWithAClearError_UnlessAllowed()
    {
        using var home = new TempHome();
        await using (var gateway = await GatewayProcess.StartGatewayAsync(home))
        {
            await using var client = await ConnectAsync(gateway, home);

            var privateUrl = await SendAsync(client, "p", "x", "http://10.1.2.3/hook");
            Assert.False(privateUrl.GetProperty("ok").GetBoolean());
            Assert.Equal("INVALID_REQUEST", privateUrl.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains("10.1.2.3 is a private, link-local or reserved address: refused unless webhooks.allowPrivateNetworks is true",
                privateUrl.GetProperty("error").GetProperty("message").GetString());
            var loopback = await SendAsync(client, "p", "x", "http://localhost:9/hook");
            Assert.Contains("webhooks.allowLoopback", loopback.GetProperty("error").GetProperty("message").GetString());

            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, gateway.HttpUrl("/v1/messages"))
            {
                Content = new StringContent("""{"sessionKey":"p","message":"x","webhookUrl":"http://169.254.169.254/latest/meta-data"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", TokenStore.TryRead(home.State)!);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("webhooks.allowPrivateNetworks", await response.Content.ReadAsStringAsync());
            var history = (await client.RequestAsync("chat.history", """{"sessionKey":"p"}""")).GetProperty("payload").GetProperty("messages");
            Assert.Equal(0, history.GetArrayLength());
            gateway.Signal(Posix.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync());
        }

        home.WriteConfig("""{ "webhooks": { "allowPrivateNetworks": true, "allowedHosts": ["10.1.2.3"] } }""");
        await using (var gateway = await GatewayProcess.StartGatewayAsync(home))
        {
            await using var client = await ConnectAsync(gateway, home);
            Assert.True((await SendAsync(client, "p", "x", "http://10.1.2.3/hook")).GetProperty("ok").GetBoolean());
            var notListed = await SendAsync(client, "p", "x", "http://10.9.9.9/hook");
            Assert.Contains("webhookUrl host 10.9.9.9 is not in webhooks.allowedHosts", notListed.GetProperty("error").GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task AHostNameThatResolvesToLoopback_IsRefusedAtConnect()
    {
        // The machine's own name passes the check of the URL (it is no address) but resolves to
        // a loopback address (127.0.0.1 or 127.0.1.1; a container's private address is refused too).
        var name = Dns.GetHostName();
        using var home = new TempHome();
        using var sink = new RawHttpSink(_ => SinkAnswer.Ok);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        await using var client = await ConnectAsync(gateway, home);

        Assert.True((await SendAsync(client, "n", "x", $"http://{name}:{sink.Port}/hook")).GetProperty("ok").GetBoolean());

        Assert.True(await Eventually.UntilAsync(async () => (await WorkAsync(client)).GetProperty("failedReplies").GetInt64() == 1, Deadline), gateway.AllOutput);
        Assert.Empty(sink.Requests);
        Assert.StartsWith($"refused: {name} resolves to ", (await AssistantAsync(client, "n")).GetProperty("deliveryError").GetString());
    }

    [Fact]
    public async Task IdempotencyKeys_ArePerSession()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        await using var client = await ConnectAsync(gateway, home);

        var inOne = (await SendAsync(client, "s1", "first", key: "same-key")).GetProperty("payload");
        var inTwo = (await SendAsync(client, "s2", "second", key: "same-key")).GetProperty("payload");
        var again = (await SendAsync(client, "s1", "first again", key: "same-key")).GetProperty("payload");

        Assert.NotEqual(inOne.GetProperty("messageId").GetString(), inTwo.GetProperty("messageId").GetString());
        Assert.False(inTwo.GetProperty("duplicate").GetBoolean());
        Assert.Equal("s2", inTwo.GetProperty("sessionKey").GetString());
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Equal(inOne.GetProperty("messageId").GetString(), again.GetProperty("messageId").GetString());
        await client.WaitForChatEventsAsync(2, Deadline);
        var second = (await client.RequestAsync("chat.history", """{"sessionKey":"s2"}""")).GetProperty("payload").GetProperty("messages");
        Assert.Equal(["second", "second"], second.EnumerateArray().Select(m => m.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task AKillDuringDelivery_DeliversOnceAfterTheRestart()
    {
        using var home = new TempHome();
        home.WriteConfig(LoopbackAllowed);
        var calls = 0;
        using var sink = new RawHttpSink(_ => Interlocked.Increment(ref calls) == 1 ? SinkAnswer.Never : SinkAnswer.Ok);
        await using (var gateway = await GatewayProcess.StartGatewayAsync(home))
        {
            await using var client = await ConnectAsync(gateway, home);
            await SendAsync(client, "k", "survives a kill", sink.Url());
            await Eventually.AssertAsync(() => sink.Requests.Count == 1, Deadline, "the POST to be in flight");
            gateway.Signal(Posix.SIGKILL);
            await gateway.WaitForProcessExitAsync();
        }

        await using var restarted = await GatewayProcess.StartGatewayAsync(home);
        await using var again = await ConnectAsync(restarted, home);
        await Eventually.AssertAsync(async () => sink.Requests.Count == 2 && (await WorkAsync(again)).GetProperty("pendingReplies").GetInt64() == 0,
            Deadline, "the reply sent again after the restart and delivered");
        Assert.Single(sink.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("messageId").GetString()).Distinct());
        var replies = (await again.RequestAsync("chat.history", """{"sessionKey":"k"}""")).GetProperty("payload").GetProperty("messages")
            .EnumerateArray().Where(m => m.GetProperty("role").GetString() == "assistant").ToList();
        Assert.Equal("delivered", Assert.Single(replies).GetProperty("delivery").GetString());
        await Steadily.HoldsAsync(() => Task.FromResult(sink.Requests.Count == 2), TimeSpan.FromSeconds(2), "no third POST");
    }

    [Fact]
    public async Task AWebhookReply_AfterManyRepliesWithoutOne_IsPosted_AndRetried()
    {
        // Replies without a webhook let the outbox stop looking for due POSTs; a webhook reply
        // (its mark) and its retry after a failed POST must still be looked for.
        using var home = new TempHome();
        home.WriteConfig(LoopbackAllowed);
        var calls = 0;
        using var sink = new RawHttpSink(_ => Interlocked.Increment(ref calls) == 1 ? new SinkAnswer(Status: 503) : SinkAnswer.Ok);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        await using var client = await ConnectAsync(gateway, home);
        for (var i = 0; i < 20; i++)
        {
            await SendAsync(client, "plain", $"no webhook {i}");
        }
        await Eventually.AssertAsync(async () => (await WorkAsync(client)).GetProperty("pendingReplies").GetInt64() == 0, Deadline,
            "the plain replies delivered");

        await SendAsync(client, "hooked", "to the webhook", sink.Url());

        await Eventually.AssertAsync(() => sink.Requests.Count == 2, Deadline, "the POST, then its retry after the 503");
        Assert.Equal("to the webhook", Text(sink.Requests.Last()));
        await Eventually.AssertAsync(async () => (await AssistantAsync(client, "hooked")).GetProperty("delivery").GetString() == "delivered",
            Deadline, "the reply marked delivered");
    }

    [Fact]
    public async Task ADeadWebhook_HoldsAStopsDrainOnlyForItsTimeout()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "webhooks": { "allowLoopback": true, "timeoutMs": 1500 }, "shutdown": { "drainTimeoutMs": 60000 } }""");
        using var dead = new RawHttpSink(_ => SinkAnswer.Never);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        await using (var client = await ConnectAsync(gateway, home))
        {
            await SendAsync(client, "d", "to nobody", dead.Url());
            await SendAsync(client, "d", "to nobody again", dead.Url());
            await Eventually.AssertAsync(() => !dead.Requests.IsEmpty, Deadline, "the POST to be in flight");
        }
        var stopping = Stopwatch.StartNew();

        gateway.Signal(Posix.SIGTERM);

        // Each first attempt is waited for, at most webhooks.timeoutMs each; a retry never starts
        // during the drain. Before: 10 s per dead POST whatever the config, 20 s here.
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(9), $"the stop took {stopping.Elapsed}");
        Assert.DoesNotContain("drain budget", gateway.Stdout.Text + gateway.Stderr.Text);
    }

    private static async Task<RawProtocolClient> ConnectAsync(GatewayProcess gateway, TempHome home) =>
        (await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!)).Client;

    private static Task<JsonElement> SendAsync(RawProtocolClient client, string session, string text, string? webhookUrl = null, string? key = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["sessionKey"] = session,
            ["message"] = text,
            ["idempotencyKey"] = key ?? Guid.NewGuid().ToString("N"),
        };
        if (webhookUrl is not null)
        {
            fields["webhookUrl"] = webhookUrl;
        }
        return client.RequestAsync("chat.send", JsonSerializer.Serialize(fields));
    }

    private static async Task<JsonElement> WorkAsync(RawProtocolClient client) =>
        (await client.RequestAsync("status")).GetProperty("payload").GetProperty("work");

    private static async Task<JsonElement> AssistantAsync(RawProtocolClient client, string session) =>
        (await client.RequestAsync("chat.history", JsonSerializer.Serialize(new Dictionary<string, string> { ["sessionKey"] = session })))
            .GetProperty("payload").GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("role").GetString() == "assistant");

    private static string? Text(RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("text").GetString();

    private static long RssBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}

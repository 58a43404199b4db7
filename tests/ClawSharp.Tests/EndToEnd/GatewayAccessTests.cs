using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// Who can reach the gateway and what each credential can do (issue 21, items 1–3), on the
/// real binary: web pages by their Origin, the auth-failure throttle, and scopes bound to the
/// credential rather than chosen by the client.
/// </summary>
public sealed class GatewayAccessTests
{
    private const string ReadOnlyToken = "dashboard-ro-token-0123456789";
    private const string WriteToken = "sender-rw-token-0123456789";
    private const string Dashboard = "https://dash.example";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AWebSocketFromAForeignOrigin_Is403AndLogged_WhileOwnAndAllowlistedOriginsConnect()
    {
        using var home = new TempHome();
        home.WriteConfig($$"""{ "gateway": { "allowedOrigins": ["{{Dashboard}}"] } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var token = TokenStore.TryRead(home.State)!;
        var port = gateway.Port;

        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(port, "http://evil.example"));
        // A page whose name was re-pointed at 127.0.0.1 (DNS rebinding) still sends its own origin.
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(port, $"http://evil.example:{port}"));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(port, "null"));
        await gateway.Stderr.WaitForAsync("refused WebSocket upgrade from 127.0.0.1: Origin \"http://evil.example\"", Deadline);

        foreach (var origin in new[] { $"http://127.0.0.1:{port}", $"http://localhost:{port}", Dashboard, null })
        {
            var (client, hello) = await RawProtocolClient.ConnectAsync(port, token, origin);
            await using var _ = client;
            Assert.Equal("hello-ok", hello.GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task PostMessages_RefusesWhatAPageCanSend_TextPlain415_AForeignOrigin403_ButTakesJsonFromAnAllowlistedOne()
    {
        using var home = new TempHome();
        home.WriteConfig($$"""{ "gateway": { "allowedOrigins": ["{{Dashboard}}"] } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var token = TokenStore.TryRead(home.State)!;
        using var http = new HttpClient();
        const string body = """{"sessionKey":"web","message":"hi","idempotencyKey":"k1"}""";

        using var plain = await PostAsync(http, gateway, body, token, contentType: "text/plain");
        using var plainNoToken = await PostAsync(http, gateway, body, bearer: null, contentType: "text/plain");
        using var foreign = await PostAsync(http, gateway, body, token, origin: "http://evil.example");
        using var allowed = await PostAsync(http, gateway, body, token, origin: Dashboard);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plainNoToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal("FORBIDDEN", (await ErrorOf(foreign)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
        await gateway.Stderr.WaitForAsync("refused POST /v1/messages from 127.0.0.1: Origin \"http://evil.example\"", Deadline);
        var history = await CliRun.CallAsync(home, "chat.history", """{"sessionKey":"web"}""");
        Assert.Single(history.GetProperty("messages").EnumerateArray(), m => m.GetProperty("role").GetString() == "user");
    }

    [Fact]
    public async Task AuthNone_GrantsReadOnly_WhateverTheClientAsks_SoNoPageCanRunACommand()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, ["--auth", "none"]);
        var marker = home.PathOf("ran");

        var (client, hello) = await RawProtocolClient.ConnectAsync(gateway.Port, token: null);
        await using var _ = client;

        Assert.Equal(["operator.read"], ScopesOf(hello));
        Assert.True((await client.RequestAsync("health")).GetProperty("ok").GetBoolean());
        AssertForbidden(await client.RequestAsync("tasks.create", $$"""{"command":"touch {{marker}}"}"""), "operator.admin");
        AssertForbidden(await client.RequestAsync("gateway.restart.request", """{"reason":"page"}"""), "operator.admin");
        AssertForbidden(await client.RequestAsync("chat.send", """{"sessionKey":"s","message":"hi","idempotencyKey":"k"}"""), "operator.write");
        using var http = new HttpClient();
        using var post = await PostAsync(http, gateway, """{"sessionKey":"s","message":"hi"}""", bearer: null);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.False(File.Exists(marker));
        Assert.Equal("running", (await client.RequestAsync("status")).GetProperty("payload").GetProperty("state").GetString());

        // Asking for no scopes at all used to mean admin.
        await using var silent = await RawProtocolClient.OpenAsync(gateway.Port);
        await silent.ReceiveAsync();
        var connect = await silent.RequestAsync("connect", """{"minProtocol":4,"maxProtocol":4,"client":{"id":"page","mode":"webchat"}}""");
        Assert.Equal(["operator.read"], ScopesOf(connect.GetProperty("payload")));
        AssertForbidden(await silent.RequestAsync("tasks.create", $$"""{"command":"touch {{marker}}"}"""), "operator.admin");
    }

    [Fact]
    public async Task AuthNone_WithWriteConfigured_SendsMessages_ButStillCannotCreateTasks()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "auth": { "noneScopes": ["operator.read", "operator.write"] } } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, ["--auth", "none"]);

        var (client, hello) = await RawProtocolClient.ConnectAsync(gateway.Port, token: null);
        await using var _ = client;

        Assert.Equal(["operator.write"], ScopesOf(hello));
        Assert.True((await client.RequestAsync("chat.send", """{"sessionKey":"s","message":"hi","idempotencyKey":"k"}""")).GetProperty("ok").GetBoolean());
        AssertForbidden(await client.RequestAsync("tasks.create", """{"command":"true"}"""), "operator.admin");
        using var http = new HttpClient();
        using var post = await PostAsync(http, gateway, """{"sessionKey":"s","message":"hi"}""", bearer: null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
    }

    [Fact]
    public async Task FailedAttempts_NeverLockOutTheCorrectToken_OverWebSocketOrHttp()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var token = TokenStore.TryRead(home.State)!;
        using var http = new HttpClient();
        const string body = """{"sessionKey":"s","message":"hi"}""";

        var codes = new List<string>();
        for (var i = 0; i <= 10; i++)
        {
            codes.Add(await FailedConnectCodeAsync(gateway.Port, "wrong-token-0123456789"));
        }
        Assert.Equal([.. Enumerable.Repeat("INVALID_REQUEST", 10), "RATE_LIMITED"], codes);

        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, token);
        await client.DisposeAsync();
        var health = await CliRun.RunAsync(home, "gateway", "call", "health");
        Assert.True(health.ExitCode == 0, health.ToString());
        using var wrong = await PostAsync(http, gateway, body, "wrong-token-0123456789");
        Assert.Equal(HttpStatusCode.TooManyRequests, wrong.StatusCode);
        Assert.NotNull(wrong.Headers.RetryAfter);
        using var right = await PostAsync(http, gateway, body, token);
        Assert.Equal(HttpStatusCode.Accepted, right.StatusCode);
    }

    [Fact]
    public async Task FailuresFromDifferentLoopbackAddresses_AreThrottledTogether()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var token = TokenStore.TryRead(home.State)!;
        const string body = """{"sessionKey":"s","message":"hi"}""";

        var statuses = new List<HttpStatusCode>();
        for (var host = 2; host <= 12; host++)
        {
            using var from = new HttpClient(LoopbackSource.Handler(IPAddress.Parse($"127.0.0.{host}")));
            using var response = await PostAsync(from, gateway, body, "wrong-token-0123456789");
            statuses.Add(response.StatusCode);
        }
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 10), HttpStatusCode.TooManyRequests], statuses);

        await using var wrongSocket = await RawProtocolClient.OpenAsync(gateway.Port, from: IPAddress.Parse("127.0.0.20"));
        Assert.Equal("RATE_LIMITED", await FailedConnectCodeAsync(wrongSocket, "wrong-token-0123456789"));
        using var owner = new HttpClient(LoopbackSource.Handler(IPAddress.Parse("127.0.0.31")));
        using var accepted = await PostAsync(owner, gateway, body, token);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task ANamedToken_HoldsOnlyItsScopes_AndHelloOkSaysWhatWasGranted()
    {
        using var home = new TempHome();
        home.WriteConfig($$"""
            { "gateway": { "auth": { "tokens": [
                { "name": "dashboard-ro", "token": "{{ReadOnlyToken}}", "scopes": ["operator.read"] },
                { "name": "sender", "token": "{{WriteToken}}", "scopes": ["operator.write"] } ] } } }
            """);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        using var http = new HttpClient();
        const string message = """{"sessionKey":"s","message":"hi","idempotencyKey":"k"}""";

        var (reader, readerHello) = await RawProtocolClient.ConnectAsync(gateway.Port, ReadOnlyToken);
        await using (reader)
        {
            Assert.Equal(["operator.read"], ScopesOf(readerHello));
            Assert.True((await reader.RequestAsync("health")).GetProperty("ok").GetBoolean());
            AssertForbidden(await reader.RequestAsync("chat.send", message), "operator.write");
            AssertForbidden(await reader.RequestAsync("tasks.create", """{"command":"true"}"""), "operator.admin");
            AssertForbidden(await reader.RequestAsync("gateway.restart.request", "{}"), "operator.admin");
        }
        var (sender, senderHello) = await RawProtocolClient.ConnectAsync(gateway.Port, WriteToken);
        await using (sender)
        {
            Assert.Equal(["operator.write"], ScopesOf(senderHello));
            Assert.True((await sender.RequestAsync("chat.send", message)).GetProperty("ok").GetBoolean());
            AssertForbidden(await sender.RequestAsync("tasks.create", """{"command":"true"}"""), "operator.admin");
        }
        await gateway.Stdout.WaitForAsync("authenticated as dashboard-ro, granted scopes [operator.read]", Deadline);

        using var readOnlyPost = await PostAsync(http, gateway, message, ReadOnlyToken);
        using var writePost = await PostAsync(http, gateway, """{"sessionKey":"s","message":"again","idempotencyKey":"k2"}""", WriteToken);
        Assert.Equal(HttpStatusCode.Forbidden, readOnlyPost.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, writePost.StatusCode);

        // The CLI asks for admin: with a read-only token it reads, and is refused the rest.
        var health = await CliRun.RunAsync(home, "gateway", "call", "health", "--token", ReadOnlyToken);
        var restart = await CliRun.RunAsync(home, "gateway", "call", "gateway.restart.request", "--token", ReadOnlyToken);
        Assert.True(health.ExitCode == 0, health.ToString());
        Assert.Equal(1, restart.ExitCode);
        Assert.Contains("missing scope: operator.admin", restart.Stderr);
    }

    [Theory]
    [InlineData("config", "gateway.auth.token must be at least 16 characters, got 5")]
    [InlineData("flag", "--token must be at least 16 characters, got 5")]
    public async Task AShortToken_StopsTheStart_WithExit78_NamingTheKey(string where, string expected)
    {
        using var home = new TempHome();
        if (where == "config")
        {
            home.WriteConfig("""{ "gateway": { "auth": { "token": "short" } } }""");
        }

        var result = await CliRun.RunAsync(home, ["gateway", "run", "--port", "0", .. where == "flag" ? new[] { "--token", "short" } : []]);

        Assert.Equal(78, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.DoesNotContain("\"short\"", result.Stderr);
    }

    private static async Task<HttpStatusCode> UpgradeStatusAsync(int port, string origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", origin);
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}"), CancellationToken.None));
        return socket.HttpStatusCode;
    }

    private static async Task<string> FailedConnectCodeAsync(int port, string token)
    {
        await using var client = await RawProtocolClient.OpenAsync(port);
        return await FailedConnectCodeAsync(client, token);
    }

    /// <summary>Reads the challenge, connects with a wrong token and returns the error code; the gateway then closes with 1008.</summary>
    private static async Task<string> FailedConnectCodeAsync(RawProtocolClient client, string token)
    {
        await client.ReceiveAsync();
        var response = await client.RequestAsync("connect", RawProtocolClient.ConnectParams(token));
        Assert.False(response.GetProperty("ok").GetBoolean());
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
        return response.GetProperty("error").GetProperty("code").GetString()!;
    }

    private static void AssertForbidden(JsonElement response, string scope)
    {
        Assert.False(response.GetProperty("ok").GetBoolean(), response.ToString());
        Assert.Equal("FORBIDDEN", response.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal($"missing scope: {scope}", response.GetProperty("error").GetProperty("message").GetString());
    }

    private static List<string?> ScopesOf(JsonElement hello) =>
        [.. hello.GetProperty("auth").GetProperty("scopes").EnumerateArray().Select(s => s.GetString())];

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, GatewayProcess gateway, string body, string? bearer,
        string contentType = "application/json", string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.HttpUrl("/v1/messages"))
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        if (bearer is not null)
        {
            request.Headers.Authorization = new("Bearer", bearer);
        }
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        return await http.SendAsync(request);
    }
}

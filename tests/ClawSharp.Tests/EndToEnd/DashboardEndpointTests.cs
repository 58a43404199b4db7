using System.Net;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>The dashboard's HTTP side and the methods it reads (<c>logs.tail</c>, <c>gateway.history</c>), without a browser.</summary>
public sealed class DashboardEndpointTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Theory]
    [InlineData("/", "text/html; charset=utf-8", "<title>ClawSharp gateway</title>")]
    [InlineData("/dashboard/app.js", "text/javascript; charset=utf-8", "GatewayClient")]
    [InlineData("/dashboard/protocol.js", "text/javascript; charset=utf-8", "connect.challenge")]
    [InlineData("/dashboard/charts.js", "text/javascript; charset=utf-8", "lineChart")]
    [InlineData("/dashboard/style.css", "text/css; charset=utf-8", "prefers-color-scheme")]
    [InlineData("/dashboard/icon.svg", "image/svg+xml", "<svg")]
    public async Task EveryAsset_IsServedFromTheBinary_WithItsTypeAStrictPolicyNosniffAndNoStore(string path, string contentType, string content)
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        using var response = await Http.GetAsync(gateway.HttpUrl(path));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType!.ToString());
        Assert.Contains(content, body);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'self';", policy);
        Assert.Contains("connect-src 'self' ws: wss:", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        // Nothing comes from the internet: no script, style or image is loaded from another origin.
        Assert.DoesNotMatch("""(src|href)=["']?(https?:)?//""", body);
        Assert.DoesNotContain("import(\"http", body);
    }

    [Fact]
    public async Task UnknownPathsAndOtherVerbs_AreRefused()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        using var missing = await Http.GetAsync(gateway.HttpUrl("/dashboard/missing.js"));
        using var post = await Http.PostAsync(gateway.HttpUrl("/"), new StringContent("x"));

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task LogsTail_GivesTheNewestLines_ThenOnlyNewOnesFromTheCursor_AndChecksItsBounds()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var token = TokenStore.TryRead(home.State)!;
        var (client, hello) = await RawProtocolClient.ConnectAsync(gateway.Port, token);
        await using var _ = client;
        Assert.Contains("logs.tail", hello.GetProperty("features").GetProperty("methods").EnumerateArray().Select(m => m.GetString()));

        var first = Payload(await client.RequestAsync("logs.tail", """{"limit":3}"""));
        Assert.Equal(home.State.LogFile, first.GetProperty("file").GetString());
        Assert.Equal(3, first.GetProperty("lines").GetArrayLength());
        Assert.True(first.GetProperty("truncated").GetBoolean());
        var cursor = first.GetProperty("cursor").GetInt64();

        // Another client connecting writes a line; the next tail from the cursor holds it and nothing older.
        var (other, _) = await RawProtocolClient.ConnectAsync(gateway.Port, token);
        await other.DisposeAsync();
        JsonElement since = default;
        await Eventually.AssertAsync(async () =>
        {
            since = Payload(await client.RequestAsync("logs.tail", $$"""{"cursor":{{cursor}}}"""));
            return since.GetProperty("lines").EnumerateArray().Any(l => l.GetString()!.Contains("client connected", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(10), "the new client's log line");
        Assert.DoesNotContain(since.GetProperty("lines").EnumerateArray(), l => l.GetString()!.Contains("gateway ready on", StringComparison.Ordinal));

        foreach (var bad in new[] { """{"limit":0}""", """{"limit":5001}""", """{"maxBytes":0}""", """{"cursor":-1}""", """{"limit":"x"}""" })
        {
            var refused = await client.RequestAsync("logs.tail", bad);
            Assert.Equal("INVALID_REQUEST", refused.GetProperty("error").GetProperty("code").GetString());
        }
        var bounded = Payload(await client.RequestAsync("logs.tail", """{"cursor":0,"maxBytes":200}"""));
        Assert.True(bounded.GetProperty("truncated").GetBoolean());
        Assert.True(bounded.GetProperty("lines").EnumerateArray().Sum(l => l.GetString()!.Length) <= 200);
    }

    [Fact]
    public async Task GatewayHistory_HasASampleOfThisProcessFromItsStart()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var history = await CliRun.CallAsync(home, "gateway.history");

        Assert.Equal(gateway.Pid, history.GetProperty("pid").GetInt32());
        Assert.Equal(10_000, history.GetProperty("intervalMs").GetInt64());
        Assert.Equal(360, history.GetProperty("capacity").GetInt32());
        var sample = history.GetProperty("samples").EnumerateArray().First();
        Assert.Equal(gateway.Pid, sample.GetProperty("pid").GetInt32());
        Assert.True(sample.GetProperty("rssBytes").GetInt64() > 1_000_000);
        Assert.Equal(0, sample.GetProperty("activeRuns").GetInt32());
    }

    private static JsonElement Payload(JsonElement response)
    {
        Assert.True(response.GetProperty("ok").GetBoolean(), response.ToString());
        return response.GetProperty("payload");
    }
}

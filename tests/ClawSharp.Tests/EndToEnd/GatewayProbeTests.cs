using System.Net;
using System.Text.Json;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

public sealed class GatewayProbeTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Gateway_BecomesReady_AndAnswersHealthAndReadyProbes()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        foreach (var path in new[] { "/health", "/healthz" })
        {
            using var response = await Http.GetAsync(gateway.HttpUrl(path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("""{"ok":true,"status":"live"}""", await response.Content.ReadAsStringAsync());
            Assert.True(response.Headers.CacheControl?.NoStore);
        }
        foreach (var path in new[] { "/ready", "/readyz" })
        {
            using var response = await Http.GetAsync(gateway.HttpUrl(path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(body.RootElement.GetProperty("ready").GetBoolean());
            Assert.Equal(0, body.RootElement.GetProperty("failing").GetArrayLength());
        }
    }

    [Fact]
    public async Task Probes_AcceptHead_AndRefuseOtherVerbsWith405()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, gateway.HttpUrl("/healthz")));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var post = await Http.PostAsync(gateway.HttpUrl("/readyz"), new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal("GET, HEAD", string.Join(", ", post.Content.Headers.Allow));

        using var missing = await Http.GetAsync(gateway.HttpUrl("/nope"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}

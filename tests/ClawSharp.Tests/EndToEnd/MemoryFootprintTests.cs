using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// What the real process has mapped (issue 18): with TLS off, starting (boot id, token check set-up),
/// checking an HTTP bearer token, a WebSocket upgrade (its <c>Sec-WebSocket-Accept</c> from a managed
/// SHA-1, <c>Http/WebSocketHandshake</c>) and an accepted message do not load OpenSSL, whose libcrypto
/// and libssl cost ~3.7 MiB of RSS.
/// </summary>
public sealed class MemoryFootprintTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task WithoutTls_StartTheBearerCheckAndAWebSocket_DoNotLoadOpenSsl()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        Assert.Empty(OpenSslMappings(gateway.Pid));

        using var wrongToken = new HttpRequestMessage(HttpMethod.Post, gateway.HttpUrl("/v1/messages"))
        {
            Content = new StringContent("""{"sessionKey":"m","message":"x"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        wrongToken.Headers.Authorization = new("Bearer", "not-the-token");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await Http.SendAsync(wrongToken)).StatusCode);
        Assert.Empty(OpenSslMappings(gateway.Pid));

        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, ClawSharp.Gateway.Configuration.TokenStore.TryRead(home.State)!);
        await using (client)
        {
            await client.SendTextAsync("""{"type":"req","id":"m1","method":"chat.send","params":{"sessionKey":"m","message":"hello"}}""");
            Assert.Single(await client.WaitForChatEventsAsync(1, TimeSpan.FromSeconds(30)));
        }

        Assert.Empty(OpenSslMappings(gateway.Pid));
    }

    private static List<string> OpenSslMappings(int pid) =>
        [.. File.ReadLines($"/proc/{pid}/maps")
            .Where(line => line.Contains("libssl", StringComparison.Ordinal) || line.Contains("libcrypto", StringComparison.Ordinal)
                || line.Contains("Cryptography.Native", StringComparison.Ordinal))
            .Select(line => line[(line.LastIndexOf(' ') + 1)..])
            .Distinct()];
}

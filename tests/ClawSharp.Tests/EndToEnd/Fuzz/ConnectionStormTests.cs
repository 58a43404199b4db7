using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ClawSharp.Tests.EndToEnd.Fuzz;

/// <summary>
/// Many connections, slow ones and oversized bodies against the real gateway: it keeps answering
/// <c>/healthz</c>, and once they are gone its descriptors and RSS come back to a bound.
/// </summary>
public sealed class ConnectionStormTests(ITestOutputHelper output)
{
    private const int Storm = 2000;
    private const int Parallel = 50;
    private const int DescriptorSlack = 16;
    private const long RssSlackKib = 64 * 1024;
    private static readonly TimeSpan SettleDeadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ThousandsOfDroppedConnections_SlowLoris_AndOversizedBodies_LeaveTheGatewayUp_WithinBounds()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var token = TokenStore.TryRead(home.State)!;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        // Warm up what every later connection uses (a WebSocket session, a message post), then take the idle figures.
        var (warm, _) = await RawProtocolClient.ConnectAsync(gateway.Port, token);
        await warm.RequestAsync("health");
        await warm.DisposeAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(http, gateway, token, new StringContent("{nope", Encoding.UTF8, "application/json"))).StatusCode);
        var idleFds = Descriptors(gateway.Pid);
        var idleRss = RssKib(gateway.Pid);

        // 1. Connections opened and dropped, twice (4,000 in all).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await DropConnectionsAsync(gateway.Port);
        await AssertServesAsync(gateway, http, "after the storm");
        var afterFirst = RssKib(gateway.Pid);
        await DropConnectionsAsync(gateway.Port);
        await AssertServesAsync(gateway, http, "after the second storm");
        var afterSecond = RssKib(gateway.Pid);
        output.WriteLine($"storms: {clock.Elapsed.TotalSeconds:0.0} s; RSS idle {idleRss / 1024.0:0.0} MiB, after one storm {afterFirst / 1024.0:0.0} MiB, after two {afterSecond / 1024.0:0.0} MiB");
        clock.Restart();

        // 2. Slow loris: request headers trickled and never finished, while /healthz must still answer.
        var slow = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 200; i++)
            {
                var tcp = new TcpClient();
                slow.Add(tcp);
                await tcp.ConnectAsync(IPAddress.Loopback, gateway.Port);
                var stream = tcp.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes(i % 2 == 0
                    ? $"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:{gateway.Port}\r\nX-Slow: "
                    : $"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"));
            }
            foreach (var tcp in slow)
            {
                await tcp.GetStream().WriteAsync("a"u8.ToArray());
            }
            await AssertServesAsync(gateway, http, "with 200 slow-loris connections open");
            output.WriteLine($"slow loris: {clock.Elapsed.TotalSeconds:0.0} s");
            clock.Restart();
        }
        finally
        {
            slow.ForEach(t => t.Dispose());
        }

        // 3. WebSockets upgraded but never connected: the gateway closes each one itself (the 10 s handshake limit).
        var silent = new List<ClientWebSocket>();
        try
        {
            for (var i = 0; i < 50; i++)
            {
                var socket = new ClientWebSocket();
                silent.Add(socket);
                await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Port}"), CancellationToken.None);
            }
            await Task.WhenAll(silent.Select(async socket =>
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(40));
                var buffer = new byte[4096];
                while (socket.State == WebSocketState.Open)
                {
                    try
                    {
                        await socket.ReceiveAsync(buffer, deadline.Token);
                    }
                    catch (WebSocketException)
                    {
                        break;
                    }
                }
                Assert.NotEqual(WebSocketState.Open, socket.State);
            }));
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }

        output.WriteLine($"silent WebSockets closed by the gateway: {clock.Elapsed.TotalSeconds:0.0} s");
        clock.Restart();
        // 4. Oversized and malformed bodies to /v1/messages.
        var big = new byte[1024 * 1024];
        Array.Fill(big, (byte)'a');
        var declared = new ByteArrayContent(big);
        declared.Headers.ContentType = new("application/json");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PostAsync(http, gateway, token, declared)).StatusCode);
        var chunked = new StreamContent(new MemoryStream(big));
        chunked.Headers.ContentType = new("application/json");
        var chunkedAnswer = await PostAsync(http, gateway, token, chunked, chunkedBody: true);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunkedAnswer.StatusCode);
        Assert.Contains("body too large", await chunkedAnswer.Content.ReadAsStringAsync());
        foreach (var malformed in new[] { "{nope", "", "[]", "\"x\"", "null", new string('[', 100_000), "{\"sessionKey\":\"s\",\"message\":\"\\ud800\"}", "{\"sessionKey\":5,\"message\":\"m\"}" })
        {
            var answer = await PostAsync(http, gateway, token, new StringContent(malformed, Encoding.UTF8, "application/json"));
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{malformed[..Math.Min(20, malformed.Length)]}: {answer.StatusCode}");
        }
        // A body that claims more than it sends, then the connection goes.
        using (var liar = new TcpClient())
        {
            await liar.ConnectAsync(IPAddress.Loopback, gateway.Port);
            await liar.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
                $"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"sessionKey\":"));
        }
        await AssertServesAsync(gateway, http, "after the bodies");

        output.WriteLine($"bodies: {clock.Elapsed.TotalSeconds:0.0} s");
        // 5. Back to a bound once the connections are gone: every descriptor, and RSS within a generous bound. The GC keeps
        // much of what the storms made the heap grow to (idle ~76 MiB, ~+31 MiB after this test, and 2-10 MiB more per
        // further storm of 2,000 on 2026-11-26), so this bound catches a leak per connection, not a slow creep.
        int fds = 0;
        long rss = 0;
        var settled = await Eventually.UntilAsync(() =>
        {
            fds = Descriptors(gateway.Pid);
            rss = RssKib(gateway.Pid);
            return fds <= idleFds + DescriptorSlack && rss <= idleRss + RssSlackKib;
        }, SettleDeadline);
        output.WriteLine($"idle: fds={idleFds} rss={idleRss / 1024.0:0.0} MiB; after: fds={fds} rss={rss / 1024.0:0.0} MiB (+{(rss - idleRss) / 1024.0:0.0} MiB)");
        Assert.True(settled, $"descriptors {fds} (idle {idleFds}) or RSS {rss} KiB (idle {idleRss} KiB) stayed above the bound");
        Assert.False(gateway.HasExited, gateway.AllOutput);
    }

    /// <summary>WebSocket upgrades (aborted, or left mid-handshake) and bare TCP connections (closed, or reset), opened and dropped.</summary>
    private static async Task DropConnectionsAsync(int port)
    {
        await ForEachAsync(Storm / 2, async i =>
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}"), CancellationToken.None);
            if (i % 2 == 0)
            {
                // Read the challenge first, so the gateway is mid-handshake when the socket goes.
                await socket.ReceiveAsync(new byte[4096], CancellationToken.None);
            }
            socket.Abort();
        });
        await ForEachAsync(Storm / 2, async i =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            if (i % 2 == 0)
            {
                // A reset rather than a FIN.
                tcp.Client.LingerState = new LingerOption(true, 0);
            }
        });
    }

    private static async Task ForEachAsync(int count, Func<int, Task> body)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    await body(i);
                }
                catch (Exception e) when (e is WebSocketException or SocketException or IOException)
                {
                    // A refused or reset connection is a dropped one too; what matters is the gateway after.
                }
            }
        }));
    }

    private static async Task AssertServesAsync(GatewayProcess gateway, HttpClient http, string when)
    {
        Assert.False(gateway.HasExited, $"the gateway exited {when}\n{gateway.AllOutput}");
        var healthz = await http.GetAsync(gateway.HttpUrl("/healthz"));
        Assert.True(healthz.StatusCode == HttpStatusCode.OK, $"/healthz {when}: {healthz.StatusCode}");
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, GatewayProcess gateway, string token, HttpContent content, bool chunkedBody = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.HttpUrl("/v1/messages")) { Content = content };
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.TransferEncodingChunked = chunkedBody ? true : null;
        try
        {
            return await http.SendAsync(request);
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
            // The gateway answered and closed while the body was still going out: read what it said.
            throw new Xunit.Sdk.XunitException($"the gateway cut the connection without an answer: {e}");
        }
    }

    private static int Descriptors(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;

    private static long RssKib(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Net.Sockets;
using ClawSharp.Gateway.Server;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>gateway.maxConnections: a flood of idle connections is refused at the limit, and the gateway serves on.</summary>
public sealed class ConnectionLimitTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PastTheLimit_AConnectionIsClosedAtOnce_TheRefusalIsLoggedAndCounted_AndTheGatewayServesOn()
    {
        const int limit = 16;
        using var home = new TempHome();
        home.WriteConfig($$"""{ "gateway": { "maxConnections": {{limit}} } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var held = new List<TcpClient>();
        var refused = 0;
        try
        {
            // Connections that stay open (keep-alive, as a flood's idle ones do), until three are refused. The
            // harness's own keep-alive connection (its readiness probe) may hold a place too.
            while (refused < 3)
            {
                Assert.True(held.Count <= limit, $"{held.Count} connections held, past the limit of {limit}");
                var client = new TcpClient();
                if (await ConnectsAsync(client, gateway.Port) && await AnswersHealthzAsync(client))
                {
                    Assert.True(refused == 0, "a connection was held after one was refused, with nothing let go");
                    held.Add(client);
                }
                else
                {
                    refused++;
                    client.Dispose();
                }
            }
            Assert.InRange(held.Count, limit - 2, limit);
            await gateway.Stderr.WaitForAsync("refused 1 connection(s) since the last such line (one a minute at most): the port holds 16 at most", Deadline);

            // The held ones still answer: none was closed to make room.
            foreach (var client in held)
            {
                Assert.True(await AnswersHealthzAsync(client), "a held connection was closed");
            }
        }
        finally
        {
            foreach (var client in held)
            {
                client.Dispose();
            }
        }
        // Once the flood lets go, the port serves again, on new connections.
        double counted = 0;
        await Eventually.AssertAsync(async () =>
        {
            try
            {
                counted = (await MetricsScrape.ValuesAsync(gateway.Port, "clawsharp_connections_refused_total"))[0];
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, Deadline, "a scrape on a new connection once the held ones are closed");
        // At least the three refused here (a scrape that came before the held closes were seen is one more).
        Assert.True(counted >= refused, $"counted {counted}, refused {refused}");
        Assert.False(gateway.HasExited);
    }

    [Theory]
    [InlineData(4096, null, 4096)]
    [InlineData(4096, 20_000L, 4096)]
    [InlineData(4096, 1024L, 768)]
    [InlineData(100, 1024L, 100)]
    [InlineData(4096, 200L, 16)]
    public void TheLimit_LeavesRoomUnderTheOpenFileLimit(int configured, long? openFiles, int expected)
    {
        Assert.Equal(expected, ConnectionLimit.Effective(configured, openFiles));
    }

    /// <summary>GET /healthz on the connection, kept alive: true when answered 200, false when the gateway ended the connection.</summary>
    private static async Task<bool> AnswersHealthzAsync(TcpClient client)
    {
        using var cancel = new CancellationTokenSource(Deadline);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray(), cancel.Token);
            var buffer = new byte[4096];
            var read = await stream.ReadAsync(buffer, cancel.Token);
            if (read == 0)
            {
                return false;
            }
            var answer = System.Text.Encoding.ASCII.GetString(buffer, 0, read);
            Assert.StartsWith("HTTP/1.1 200", answer);
            // The rest of the answer, so the next request's read starts at its own.
            while (!answer.Contains("\r\n\r\n", StringComparison.Ordinal) || !CompleteBody(answer))
            {
                read = await stream.ReadAsync(buffer, cancel.Token);
                Assert.True(read > 0, "the answer was cut off");
                answer += System.Text.Encoding.ASCII.GetString(buffer, 0, read);
            }
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return false;
        }
    }

    /// <summary>Connects; false when the gateway's refusal (an accept, then a reset) already reached the connect.</summary>
    private static async Task<bool> ConnectsAsync(TcpClient client, int port)
    {
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool CompleteBody(string answer)
    {
        var head = answer[..answer.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var length = head.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return length is null || answer.Length - head.Length - 4 >= int.Parse(length.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

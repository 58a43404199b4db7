using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>How a <see cref="RawHttpSink"/> answers one request.</summary>
/// <param name="Status">The status code.</param>
/// <param name="Location">A <c>Location</c> header (for a redirect).</param>
/// <param name="BodyBytes">A body of this many bytes, written until the client goes away.</param>
/// <param name="Hang">Never answer: hold the connection open until the sink is disposed.</param>
internal sealed record SinkAnswer(int Status = 200, string? Location = null, long BodyBytes = 0, bool Hang = false)
{
    public static readonly SinkAnswer Ok = new();
    public static readonly SinkAnswer Never = new(Hang: true);
}

/// <summary>
/// A webhook receiver on a plain <see cref="TcpListener"/> bound to port 0 on loopback (no
/// port race, no HttpListener), able to answer in ways a real server cannot be made to: never,
/// or with a body of any size. HTTP/1.1, one request per connection.
/// </summary>
internal sealed class RawHttpSink : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Func<RecordedRequest, SinkAnswer> answer;
    private readonly CancellationTokenSource closing = new();
    private readonly ConcurrentBag<TcpClient> clients = [];
    private readonly Task loop;
    private long bodyBytesSent;

    public RawHttpSink(Func<RecordedRequest, SinkAnswer> answer)
    {
        this.answer = answer;
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }
    public string Url(string path = "/hook") => $"http://127.0.0.1:{Port}{path}";
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Bytes of answer bodies written so far (what the client accepted before it went away).</summary>
    public long BodyBytesSent => Interlocked.Read(ref bodyBytesSent);

    public void Dispose()
    {
        closing.Cancel();
        listener.Stop();
        foreach (var client in clients)
        {
            client.Dispose();
        }
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        closing.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!closing.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(closing.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            clients.Add(client);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var request = await ReadRequestAsync(stream);
            if (request is null)
            {
                return;
            }
            Requests.Enqueue(request);
            var reply = answer(request);
            if (reply.Hang)
            {
                await Task.Delay(Timeout.Infinite, closing.Token);
                return;
            }
            var head = new StringBuilder($"HTTP/1.1 {reply.Status} Sink\r\nContent-Type: application/json\r\nContent-Length: {reply.BodyBytes}\r\nConnection: close\r\n");
            if (reply.Location is not null)
            {
                head.Append($"Location: {reply.Location}\r\n");
            }
            head.Append("\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), closing.Token);
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            for (var left = reply.BodyBytes; left > 0; left -= chunk.Length)
            {
                var size = (int)Math.Min(left, chunk.Length);
                await stream.WriteAsync(chunk.AsMemory(0, size), closing.Token);
                Interlocked.Add(ref bodyBytesSent, size);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away (as a gateway that reads only the status line does), or the sink closes.
        }
        finally
        {
            client.Dispose();
        }
    }

    private static async Task<RecordedRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 4 || !(buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0 || buffer.Count > 64 * 1024)
            {
                return null;
            }
            buffer.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString([.. buffer]).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = lines.Skip(1).Where(l => l.Contains(':'))
            .ToDictionary(l => l[..l.IndexOf(':')].Trim(), l => l[(l.IndexOf(':') + 1)..].Trim(), StringComparer.OrdinalIgnoreCase);
        var length = headers.TryGetValue("Content-Length", out var text) ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var body = new byte[length];
        await stream.ReadExactlyAsync(body);
        return new RecordedRequest(requestLine[0], requestLine[1], headers.GetValueOrDefault("Authorization"), Encoding.UTF8.GetString(body));
    }
}

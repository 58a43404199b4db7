using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>Connects to a port in a few parallel loops (each connect sends a GET /healthz) and counts refusals.</summary>
internal sealed class ConnectLoop : IDisposable
{
    private const int Workers = 4;
    private readonly int port;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private int attempts;
    private int refused;
    private int answered;

    public ConnectLoop(int port)
    {
        this.port = port;
        loop = Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(RunAsync)));
    }

    public int Attempts => Volatile.Read(ref attempts);
    public int Refused => Volatile.Read(ref refused);
    public int Answered => Volatile.Read(ref answered);
    public string? FirstError { get; private set; }

    public void Stop()
    {
        stop.Cancel();
        loop.Wait(TimeSpan.FromSeconds(15));
    }

    /// <summary>
    /// Once what serves now answered 20 more connects (it is the gateway the test waited for, not the one
    /// before it), stops and fails the test if any connect was refused along the way.
    /// </summary>
    public async Task StopOnceAnsweredAgainAsync(TimeSpan deadline, string what)
    {
        var before = Answered;
        await Eventually.AssertAsync(() => Answered > before + 20, deadline, what);
        Stop();
        Assert.True(Refused == 0, $"{Refused} of {Attempts} connects were refused: {FirstError}");
    }

    public void Dispose()
    {
        Stop();
        stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref attempts);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
                await socket.SendAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"), timeout.Token);
                var buffer = new byte[64];
                // A connection the old server accepted just before it closed may end without an answer; only refusals count.
                if (await socket.ReceiveAsync(buffer, timeout.Token) > 0 && Encoding.ASCII.GetString(buffer).StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref answered);
                }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                Interlocked.Increment(ref refused);
                FirstError ??= e.Message;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
            }
        }
    }
}

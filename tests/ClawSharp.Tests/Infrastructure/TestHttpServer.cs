using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>A real HTTP server on loopback (HttpListener) for webhook and OpenAI-compatible endpoint tests.</summary>
internal sealed class TestHttpServer : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Func<RecordedRequest, (int Status, string Body)> respond;
    private readonly Task loop;

    public TestHttpServer(Func<RecordedRequest, (int Status, string Body)> respond, int? port = null)
    {
        this.respond = respond;
        Port = port ?? FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        try
        {
            listener.Stop();
            listener.Close();
        }
        catch (HttpListenerException)
        {
            // Seen under load: Close re-resolves the prefix's endpoint and can fail with "Address
            // already in use" after the port was taken by another test; the listener is closed anyway.
        }
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var request = new RecordedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath,
                context.Request.Headers["Authorization"], await reader.ReadToEndAsync());
            Requests.Enqueue(request);
            var (status, body) = respond(request);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}

internal sealed record RecordedRequest(string Method, string Path, string? Authorization, string Body);

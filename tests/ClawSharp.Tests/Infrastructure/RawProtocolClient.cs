using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>A bare WebSocket that speaks frames as the test writes them, for protocol and error-path tests.</summary>
internal sealed class RawProtocolClient : IAsyncDisposable
{
    public static readonly TimeSpan FrameTimeout = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket socket = new();
    private int nextId;
    private HttpMessageInvoker? invoker;

    public WebSocketCloseStatus? CloseStatus => socket.CloseStatus;

    /// <summary>The socket itself, for tests that send what <see cref="SendTextAsync"/> would not (binary, fragments, invalid UTF-8).</summary>
    public ClientWebSocket Socket => socket;

    /// <summary>Every event frame read so far, in arrival order.</summary>
    public List<JsonElement> Events { get; } = [];
    public string? CloseDescription => socket.CloseStatusDescription;

    /// <summary>Opens the WebSocket, sending <paramref name="origin"/> as a browser would, from <paramref name="from"/> (default 127.0.0.1).</summary>
    public static async Task<RawProtocolClient> OpenAsync(int port, string? origin = null, System.Net.IPAddress? from = null)
    {
        var client = new RawProtocolClient();
        if (origin is not null)
        {
            client.socket.Options.SetRequestHeader("Origin", origin);
        }
        client.invoker = from is null ? null : new HttpMessageInvoker(LoopbackSource.Handler(from));
        await client.socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}"), client.invoker, CancellationToken.None);
        return client;
    }

    /// <summary>Opens, reads the challenge, connects with <paramref name="token"/> (none: <c>auth: {}</c>) and asserts <c>hello-ok</c>.</summary>
    public static async Task<(RawProtocolClient Client, JsonElement Hello)> ConnectAsync(int port, string? token, string? origin = null)
    {
        var client = await OpenAsync(port, origin);
        var challenge = await client.ReceiveAsync();
        Assert.Equal("connect.challenge", challenge!.Value.GetProperty("event").GetString());
        var response = await client.RequestAsync("connect", ConnectParams(token));
        Assert.True(response.GetProperty("ok").GetBoolean(), response.ToString());
        return (client, response.GetProperty("payload"));
    }

    public static string ConnectParams(string? token, int minProtocol = 4, int maxProtocol = 4) =>
        $$"""
        {"minProtocol":{{minProtocol}},"maxProtocol":{{maxProtocol}},"client":{"id":"test","version":"1","platform":"linux","mode":"test"},
         "role":"operator","scopes":["operator.admin"],"auth":{{(token is null ? "{}" : $$"""{"token":"{{token}}"}""")}}}
        """;

    public Task SendTextAsync(string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Sends a request and returns the response with the same id, skipping events.</summary>
    public async Task<JsonElement> RequestAsync(string method, string? paramsJson = null)
    {
        var id = $"t{++nextId}";
        await SendTextAsync(paramsJson is null
            ? $$"""{"type":"req","id":"{{id}}","method":"{{method}}"}"""
            : $$"""{"type":"req","id":"{{id}}","method":"{{method}}","params":{{paramsJson}}}""");
        while (true)
        {
            var frame = await ReceiveAsync() ?? throw new InvalidOperationException($"closed before the response to {method}: {CloseStatus} {CloseDescription}");
            if (frame.GetProperty("type").GetString() == "res" && frame.GetProperty("id").GetString() == id)
            {
                return frame;
            }
        }
    }

    /// <summary>Reads until an event matching <paramref name="match"/> arrives (or one already did); fails on timeout.</summary>
    public async Task<JsonElement> WaitForEventAsync(Func<JsonElement, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var seen = Events.FirstOrDefault(e => match(e));
            if (seen.ValueKind != JsonValueKind.Undefined)
            {
                return seen;
            }
            var remaining = deadline - DateTime.UtcNow;
            Assert.True(remaining > TimeSpan.Zero, "timed out waiting for an event");
            Assert.NotNull(await ReceiveAsync(remaining));
        }
    }

    /// <summary>Reads until <paramref name="count"/> chat events with state final/error/aborted have arrived.</summary>
    public async Task<List<JsonElement>> WaitForChatEventsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ChatEvents.Count < count)
        {
            var remaining = deadline - DateTime.UtcNow;
            Assert.True(remaining > TimeSpan.Zero, $"timed out waiting for {count} chat events, got {ChatEvents.Count}");
            Assert.NotNull(await ReceiveAsync(remaining));
        }
        return ChatEvents;
    }

    public List<JsonElement> ChatEvents => [.. Events.Where(e => e.GetProperty("event").GetString() == "chat")];

    /// <summary>The next frame, or null when the server closed the socket.</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? FrameTimeout);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer, cts.Token);
            }
            catch (WebSocketException)
            {
                return null;
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                }
                catch (Exception e) when (e is WebSocketException or IOException)
                {
                }
                return null;
            }
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                var frame = JsonDocument.Parse(message.ToArray()).RootElement.Clone();
                if (frame.TryGetProperty("type", out var type) && type.GetString() == "event")
                {
                    Events.Add(frame);
                }
                return frame;
            }
        }
    }

    /// <summary>Reads frames until the server closes; returns the frames seen on the way.</summary>
    public async Task<List<JsonElement>> ReadUntilClosedAsync(TimeSpan? timeout = null)
    {
        var frames = new List<JsonElement>();
        while (await ReceiveAsync(timeout) is { } frame)
        {
            frames.Add(frame);
        }
        return frames;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "test done", cts.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        socket.Dispose();
        invoker?.Dispose();
    }
}

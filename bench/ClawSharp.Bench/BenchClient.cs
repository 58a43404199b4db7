using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ClawSharp.Bench;

/// <summary>A minimal pipelined control-protocol client: sends without waiting, reads responses and chat events on one loop.</summary>
internal sealed class BenchClient : IAsyncDisposable
{
    private readonly ClientWebSocket socket = new();
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private Task? reader;

    public ConcurrentDictionary<string, long> RunIdToReplyTicks { get; } = new();
    public ConcurrentDictionary<string, string> RequestIdToRunId { get; } = new();
    public long ShutdownTicks;
    public long ClosedTicks;

    /// <summary>How the connection ended: the server's close frame (status, description) or the error that ended it.</summary>
    public string CloseDetail { get; private set; } = "";
    public int Replies;

    /// <summary>The <c>bootId</c> of the generation that answered <c>connect</c> (hello-ok).</summary>
    public string BootId { get; private set; } = "";

    /// <summary>Every <c>res</c> frame by request id, with the time it arrived.</summary>
    public ConcurrentDictionary<string, (long Ticks, JsonElement Frame)> Responses { get; } = new();
    public int Acks;

    public static async Task<BenchClient> ConnectAsync(int port, string token)
    {
        var client = new BenchClient();
        await client.socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}"), CancellationToken.None);
        await client.ReadFrameAsync();
        await client.SendAsync("""{"type":"req","id":"c","method":"connect","params":{"minProtocol":4,"maxProtocol":4,"client":{"id":"bench","mode":"test"},"auth":{"token":""" + "\"" + token + "\"}}}");
        using (var hello = await client.ReadFrameAsync())
        {
            if (hello.RootElement.TryGetProperty("payload", out var payload) && payload.TryGetProperty("server", out var server)
                && server.TryGetProperty("bootId", out var bootId))
            {
                client.BootId = bootId.GetString() ?? "";
            }
        }
        client.reader = Task.Run(client.ReadLoopAsync);
        return client;
    }

    public Task SendMessageAsync(string requestId, string session, string text) =>
        SendAsync($$$"""{"type":"req","id":"{{{requestId}}}","method":"chat.send","params":{"sessionKey":"{{{session}}}","message":"{{{text}}}","idempotencyKey":"{{{requestId}}}"}}""");

    public Task SendRawAsync(string json) => SendAsync(json);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        socket.Dispose();
    }

    private async Task SendAsync(string json)
    {
        await sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            await ReadFramesAsync();
        }
        finally
        {
            ClosedTicks = System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    private async Task ReadFramesAsync()
    {
        while (socket.State == WebSocketState.Open)
        {
            JsonDocument frame;
            try
            {
                frame = await ReadFrameAsync();
            }
            catch (Exception e) when (e is WebSocketException or IOException)
            {
                if (CloseDetail.Length == 0)
                {
                    CloseDetail = $"{e.GetType().Name}: {e.Message}";
                }
                return;
            }
            using (frame)
            {
                var root = frame.RootElement;
                var type = root.GetProperty("type").GetString();
                if (type == "res" && root.TryGetProperty("id", out var id) && id.GetString() is { } responseId)
                {
                    Responses[responseId] = (System.Diagnostics.Stopwatch.GetTimestamp(), root.Clone());
                }
                if (type == "res" && root.GetProperty("ok").GetBoolean() && root.GetProperty("payload").TryGetProperty("runId", out _))
                {
                    RequestIdToRunId[root.GetProperty("id").GetString()!] = root.GetProperty("payload").GetProperty("runId").GetString()!;
                    Interlocked.Increment(ref Acks);
                }
                else if (type == "event" && root.GetProperty("event").GetString() == "shutdown")
                {
                    ShutdownTicks = System.Diagnostics.Stopwatch.GetTimestamp();
                }
                else if (type == "event" && root.GetProperty("event").GetString() == "chat")
                {
                    RunIdToReplyTicks[root.GetProperty("payload").GetProperty("runId").GetString()!] = System.Diagnostics.Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref Replies);
                }
            }
        }
    }

    private async Task<JsonDocument> ReadFrameAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                CloseDetail = $"close frame {(int?)socket.CloseStatus} {socket.CloseStatusDescription}";
                // Answer the close at once, as browsers and ws libraries do; the server waits for it.
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                }
                catch (Exception e) when (e is WebSocketException or IOException)
                {
                }
                throw new WebSocketException("closed");
            }
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(message.ToArray());
            }
        }
    }
}

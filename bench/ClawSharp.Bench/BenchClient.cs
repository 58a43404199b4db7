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

    // One receive buffer per connection, reused for every frame: a fresh 64 KiB array per frame
    // made the reader the load generator's main allocator at 20k msg/s.
    private readonly byte[] receiveBuffer = new byte[64 * 1024];
    private readonly MemoryStream longFrame = new();
    private Task? reader;

    /// <summary>Keep every <c>res</c> frame (a cloned document) in <see cref="Responses"/>; the throughput modes turn it off.</summary>
    public bool KeepResponses { get; init; } = true;

    /// <summary>Map request ids to run ids and run ids to reply times; the throughput modes only count.</summary>
    public bool TrackRuns { get; init; } = true;

    /// <summary>When set, released once per reply (or per refused request): the sender's bound on messages in flight.</summary>
    public SemaphoreSlim? Window { get; init; }

    /// <summary><c>res</c> frames with <c>ok: false</c> (a refusal, e.g. draining or a full queue).</summary>
    public int Errors;

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

    public static Task<BenchClient> ConnectAsync(int port, string token) => ConnectAsync(port, token, new BenchClient());

    public static async Task<BenchClient> ConnectAsync(int port, string token, BenchClient client)
    {
        await client.socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}"), CancellationToken.None);
        (await client.ReadFrameAsync()).Dispose();
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
                Dispatch(frame.RootElement);
            }
        }
    }

    private void Dispatch(JsonElement root)
    {
        var type = root.GetProperty("type").GetString();
        if (type == "res")
        {
            var ok = root.GetProperty("ok").GetBoolean();
            if (KeepResponses && root.TryGetProperty("id", out var id) && id.GetString() is { } responseId)
            {
                Responses[responseId] = (System.Diagnostics.Stopwatch.GetTimestamp(), root.Clone());
            }
            if (ok && root.GetProperty("payload").TryGetProperty("runId", out var runId))
            {
                if (TrackRuns)
                {
                    RequestIdToRunId[root.GetProperty("id").GetString()!] = runId.GetString()!;
                }
                Interlocked.Increment(ref Acks);
            }
            else if (!ok)
            {
                Interlocked.Increment(ref Errors);
                Window?.Release();
            }
        }
        else if (type == "event")
        {
            var name = root.GetProperty("event").GetString();
            if (name == "shutdown")
            {
                ShutdownTicks = System.Diagnostics.Stopwatch.GetTimestamp();
            }
            else if (name == "chat")
            {
                if (TrackRuns)
                {
                    RunIdToReplyTicks[root.GetProperty("payload").GetProperty("runId").GetString()!] = System.Diagnostics.Stopwatch.GetTimestamp();
                }
                Interlocked.Increment(ref Replies);
                Window?.Release();
            }
        }
    }

    /// <summary>
    /// The next text frame as a document. A frame that fits the buffer is parsed in place (the
    /// document borrows the buffer, so it must be disposed before the next read, as every caller does).
    /// </summary>
    private async Task<JsonDocument> ReadFrameAsync()
    {
        longFrame.SetLength(0);
        while (true)
        {
            var result = await socket.ReceiveAsync(receiveBuffer, CancellationToken.None);
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
            if (result.EndOfMessage && longFrame.Length == 0)
            {
                return JsonDocument.Parse(receiveBuffer.AsMemory(0, result.Count));
            }
            longFrame.Write(receiveBuffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(longFrame.ToArray());
            }
        }
    }
}

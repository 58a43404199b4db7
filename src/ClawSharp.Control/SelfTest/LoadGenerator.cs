using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ClawSharp.Control.Client;
using ClawSharp.Gateway.Protocol.Methods;

namespace ClawSharp.Control.SelfTest;

/// <summary>
/// Sends messages while the faults happen: a few workers, half over <c>chat.send</c> and half over
/// <c>POST /v1/messages</c>, each message with its own idempotency key and the sink as its webhook.
/// An attempt that gets no acknowledgement (refused while draining, connection cut by a kill) is
/// sent again with the same key until it is acknowledged or its deadline passes. Bounded in count
/// (<see cref="SelfTestOptions.MaxMessages"/>) and in time (it stops when the faults are done).
/// Echo runs of 20 to 300 ms (<c>/delay</c>) keep work in flight when a fault lands.
/// </summary>
internal sealed class LoadGenerator(ScratchGateway gateway, WebhookSink sink, SelfTestOptions options)
{
    private const int Workers = 3;
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(100);

    private readonly List<SentMessage> messages = [];
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
    {
        Timeout = AttemptTimeout,
    };

    private int next;

    /// <summary>Every message created so far (acknowledged or not).</summary>
    public IReadOnlyList<SentMessage> Messages
    {
        get
        {
            lock (messages)
            {
                return [.. messages];
            }
        }
    }

    /// <summary>
    /// Sends until <paramref name="stopNew"/> fires (no new message after it; the ones begun are
    /// still retried until acknowledged or past <see cref="SelfTestOptions.AckDeadline"/>) or
    /// <paramref name="cancellationToken"/> (the operator's Ctrl-C) ends everything.
    /// </summary>
    public async Task RunAsync(CancellationToken stopNew, CancellationToken cancellationToken)
    {
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(() => WorkerAsync(w, stopNew, cancellationToken), CancellationToken.None));
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        finally
        {
            http.Dispose();
        }
    }

    private async Task WorkerAsync(int worker, CancellationToken stopNew, CancellationToken cancellationToken)
    {
        var random = new Random(HashCode.Combine(options.Seed, worker));
        GatewayClient? client = null;
        try
        {
            while (!stopNew.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                var number = Interlocked.Increment(ref next);
                if (number > options.MaxMessages)
                {
                    return;
                }
                var message = new SentMessage(number, $"selftest-{options.Seed}-{number}", number % 2 == 0 ? LoadChannel.WebSocket : LoadChannel.Http,
                    $"selftest-{number % 4}", $"/delay {random.Next(20, 300)} reply {number}");
                lock (messages)
                {
                    messages.Add(message);
                }
                client = await DeliverAsync(message, client, cancellationToken).ConfigureAwait(false);
                await Task.Delay(Pace, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends until acknowledged or past the deadline; returns the WebSocket client to reuse (null after a failure).</summary>
    private async Task<GatewayClient?> DeliverAsync(SentMessage message, GatewayClient? client, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < options.AckDeadline)
        {
            message.Attempts++;
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(AttemptTimeout);
            try
            {
                ChatSendAccepted accepted;
                if (message.Channel == LoadChannel.WebSocket)
                {
                    client ??= await GatewayClient.ConnectAsync(gateway.Target, limit.Token).ConfigureAwait(false);
                    accepted = await SendOverWebSocketAsync(client, message, limit.Token).ConfigureAwait(false);
                }
                else
                {
                    accepted = await PostAsync(message, limit.Token).ConfigureAwait(false);
                }
                message.MessageId = accepted.MessageId;
                message.AckedAsDuplicate |= accepted.Duplicate;
                message.LastError = null;
                return client;
            }
            catch (Exception e) when (e is GatewayCallException or HttpRequestException or IOException or JsonException
                                          or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                message.LastError = e is OperationCanceledException ? $"no answer within {AttemptTimeout.TotalSeconds:F0} s" : e.Message;
                if (client is not null)
                {
                    await client.DisposeAsync().ConfigureAwait(false);
                    client = null;
                }
            }
            await Task.Delay(RetryPause, cancellationToken).ConfigureAwait(false);
        }
        return client;
    }

    private async Task<ChatSendAccepted> SendOverWebSocketAsync(GatewayClient client, SentMessage message, CancellationToken cancellationToken)
    {
        var payload = await client.CallAsync("chat.send", w => WriteBody(w, message), cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(payload, WorkJsonContext.Default.ChatSendAccepted)
            ?? throw new JsonException("chat.send answered with no payload");
    }

    private async Task<ChatSendAccepted> PostAsync(SentMessage message, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        using (var writer = new Utf8JsonWriter(body))
        {
            WriteBody(writer, message);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.MessagesUrl)
        {
            Content = new ByteArrayContent(body.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", gateway.Token);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new HttpRequestException($"POST /v1/messages answered {(int)response.StatusCode}: {Shorten(text)}");
        }
        return JsonSerializer.Deserialize(text, WorkJsonContext.Default.ChatSendAccepted)
            ?? throw new JsonException("POST /v1/messages answered with no body");
    }

    private void WriteBody(Utf8JsonWriter writer, SentMessage message)
    {
        writer.WriteStartObject();
        writer.WriteString("sessionKey", message.SessionKey);
        writer.WriteString("message", message.Text);
        writer.WriteString("idempotencyKey", message.IdempotencyKey);
        writer.WriteString("webhookUrl", sink.Url);
        writer.WriteEndObject();
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}

using System.Text.Json;
using ClawSharp.Gateway.Storage;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Work;

/// <summary>
/// Delivers stored replies: a <c>chat</c> event to the WebSocket clients, and a POST to the
/// session's webhook when it has one, retried with backoff (1 s doubling, capped at 60 s)
/// until a 2xx. A reply stays pending until delivered, across restarts; a delivery cut by a
/// crash is sent again under the same message id.
/// </summary>
internal sealed class ReplyOutbox(GatewayStore store, IChatEventSink events, HttpClient http, ILogger logger, TimeProvider time, Action delivered)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WebhookTimeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim wake = new(0, 1);
    private int inFlight;

    /// <summary>Replies being sent now (they are also still pending in the store).</summary>
    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>A new reply is stored: deliver now.</summary>
    public void Notify()
    {
        if (wake.CurrentCount == 0)
        {
            try
            {
                wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var due = store.DueReplies(limit: 256);
                foreach (var reply in due)
                {
                    await DeliverAsync(reply, stopping).ConfigureAwait(false);
                }
                if (due.Count == 256)
                {
                    continue;
                }
                var next = store.NextReplyDueAt();
                var wait = next is { } at
                    ? TimeSpan.FromMilliseconds(Math.Max(0, at - time.GetUtcNow().ToUnixTimeMilliseconds()))
                    : Timeout.InfiniteTimeSpan;
                await wake.WaitAsync(wait, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                WorkLog.OutboxFailed(logger, e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task DeliverAsync(PendingReply reply, CancellationToken stopping)
    {
        Interlocked.Increment(ref inFlight);
        try
        {
            // WebSocket clients get the event on the first attempt; later attempts retry the webhook only.
            if (reply.Attempts == 0)
            {
                events.Publish(new ChatEvent(reply.RunId, reply.MessageId, reply.SessionKey, reply.State, reply.Text));
            }
            if (reply.WebhookUrl is null)
            {
                store.MarkDelivered(reply.Id);
                return;
            }
            var error = await PostAsync(reply, stopping).ConfigureAwait(false);
            if (error is null)
            {
                store.MarkDelivered(reply.Id);
                return;
            }
            var delay = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, reply.Attempts)));
            // Webhook paths and queries often carry secrets (chat-service hooks): log the origin only.
            var origin = Uri.TryCreate(reply.WebhookUrl, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "webhook";
            WorkLog.WebhookFailed(logger, reply.RunId, origin, reply.Attempts + 1, error, delay.TotalMilliseconds);
            store.ScheduleRetry(reply.Id, delay, error);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
            delivered();
        }
    }

    private async Task<string?> PostAsync(PendingReply reply, CancellationToken stopping)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        limit.CancelAfter(WebhookTimeout);
        try
        {
            using var content = new ByteArrayContent(Body(reply));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(new Uri(reply.WebhookUrl!), content, limit.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return $"no answer within {WebhookTimeout.TotalSeconds:F0} s";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    private static byte[] Body(PendingReply reply)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("messageId", reply.MessageId);
            writer.WriteString("runId", reply.RunId);
            writer.WriteString("sessionKey", reply.SessionKey);
            writer.WriteString("state", reply.State);
            writer.WriteString("text", reply.Text);
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }
}

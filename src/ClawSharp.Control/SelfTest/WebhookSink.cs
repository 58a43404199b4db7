using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace ClawSharp.Control.SelfTest;

/// <summary>
/// The self-test's own reply channel: an <see cref="HttpListener"/> on a free loopback port that
/// answers every POST 200 and counts, per message id, how often a reply arrived and in what state.
/// A message id counted twice is a reply delivered twice: the duplicate the audit looks for.
/// </summary>
internal sealed class WebhookSink : IDisposable
{
    private readonly HttpListener listener;
    private readonly ConcurrentDictionary<string, SinkEntry> replies = new();
    private readonly Task loop;
    private int malformed;

    private WebhookSink(HttpListener listener, int port)
    {
        this.listener = listener;
        Url = $"http://127.0.0.1:{port}/reply";
        loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Where the gateway posts replies.</summary>
    public string Url { get; }

    /// <summary>POSTs whose body was not a reply (no messageId): a gateway bug, reported by the audit.</summary>
    public int Malformed => Volatile.Read(ref malformed);

    /// <summary>Starts listening on a free loopback port (a few tries: another process may take the port between the probe and the bind).</summary>
    public static WebhookSink Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Loopback();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new WebhookSink(listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>How many replies arrived for <paramref name="messageId"/> (0 when none).</summary>
    public int Count(string messageId) => replies.TryGetValue(messageId, out var entry) ? entry.Count : 0;

    /// <summary>Every message id seen, with its delivery count and last state.</summary>
    public IReadOnlyDictionary<string, SinkEntry> Snapshot() => new Dictionary<string, SinkEntry>(replies);

    public void Dispose()
    {
        try
        {
            listener.Stop();
            listener.Close();
        }
        catch (ObjectDisposedException)
        {
        }
        try
        {
            loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener: whatever it threw on the way out is of no interest.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body).ConfigureAwait(false);
            Record(body.ToArray());
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The gateway hung up (killed mid-delivery): it sends the reply again after its restart.
        }
    }

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    private void Record(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("messageId", out var id) || id.GetString() is not { } messageId)
            {
                Interlocked.Increment(ref malformed);
                return;
            }
            var state = Text(root, "state");
            // What makes a reply this reply: a second delivery with another run or text is another reply under the same id.
            var reply = $"{Text(root, "runId")}\n{state}\n{Text(root, "text")}";
            var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            replies.AddOrUpdate(messageId, _ => new SinkEntry(1, state, [at], 1, reply),
                (_, old) => new SinkEntry(old.Count + 1, state, [.. old.DeliveredAt, at], old.DistinctReplies + (reply == old.FirstReply ? 0 : 1), old.FirstReply));
        }
        catch (JsonException)
        {
            Interlocked.Increment(ref malformed);
        }
    }
}

/// <summary>What the sink received for one message id.</summary>
/// <param name="Count">Deliveries.</param>
/// <param name="State">The last one's state.</param>
/// <param name="DeliveredAt">When each came (Unix ms).</param>
/// <param name="DistinctReplies">1 while every delivery carried the first one's run, state and text.</param>
/// <param name="FirstReply">The first delivery's run, state and text.</param>
internal sealed record SinkEntry(int Count, string State, IReadOnlyList<long> DeliveredAt, int DistinctReplies = 1, string FirstReply = "");


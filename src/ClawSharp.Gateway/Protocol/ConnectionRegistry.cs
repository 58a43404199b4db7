using System.Collections.Concurrent;
using System.Text.Json;
using ClawSharp.Gateway.Work;

namespace ClawSharp.Gateway.Protocol;

/// <summary>
/// The open control connections of one server generation: sends them <c>tick</c> events
/// and, when the server closes, the <c>shutdown</c> event and the close frame.
/// </summary>
internal sealed class ConnectionRegistry : IChatEventSink, IDisposable
{
    private readonly ConcurrentDictionary<string, ControlConnection> open = new(StringComparer.Ordinal);
    private readonly ITimer tickTimer;
    private readonly TimeProvider time;
    private TaskCompletionSource? allClosed;
    private readonly Lock closeGate = new();
    private volatile string? closingReason;
    private readonly TaskCompletionSource closingBegun = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConnectionRegistry(TimeProvider time, TimeSpan tickInterval)
    {
        this.time = time;
        tickTimer = time.CreateTimer(_ => Tick(), null, tickInterval, tickInterval);
    }

    public int Count => open.Count;

    /// <summary>Non-null once the server started closing; new connections are turned away with it.</summary>
    public string? ClosingReason => closingReason;

    /// <summary>Completes when the server starts closing (test fault <c>late-frame-read</c> waits on it).</summary>
    public Task ClosingBegun => closingBegun.Task;

    /// <summary>Registers a connection unless the close has begun. Under the same lock as the close's snapshot: a connection is either closed by it or turned away, never missed.</summary>
    public bool TryAdd(ControlConnection connection)
    {
        lock (closeGate)
        {
            return closingReason is null && open.TryAdd(connection.Id, connection);
        }
    }

    public void Remove(ControlConnection connection)
    {
        if (open.TryRemove(connection.Id, out _) && open.IsEmpty)
        {
            Volatile.Read(ref allClosed)?.TrySetResult();
        }
    }

    /// <summary>
    /// Sends <c>shutdown</c> and a close frame to every connection, waits up to
    /// <paramref name="grace"/> for them to finish, then aborts the rest.
    /// </summary>
    public async Task CloseAllAsync(string reason, bool restart, TimeSpan grace, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref allClosed, done);
        List<ControlConnection> closing;
        lock (closeGate)
        {
            closingReason = reason;
            closing = [.. open.Values];
        }
        closingBegun.TrySetResult();
        if (open.IsEmpty)
        {
            done.TrySetResult();
        }
        // One grace for the whole close: a stalled client must not hold up everyone's restart.
        var closed = Task.WhenAll(closing.Select(c => c.CloseForShutdownAsync(reason, restart)));
        try
        {
            await Task.WhenAll(closed, done.Task).WaitAsync(grace, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            foreach (var connection in open.Values)
            {
                connection.Abort();
            }
        }
    }

    public void Dispose() => tickTimer.Dispose();

    /// <summary>Subscribes connection <paramref name="connectionId"/> to the chat events of <paramref name="sessionKey"/>.</summary>
    public void Subscribe(string connectionId, string sessionKey)
    {
        if (open.TryGetValue(connectionId, out var connection))
        {
            connection.Subscribe(sessionKey);
        }
    }

    /// <summary>Sends a <c>chat</c> event to the clients subscribed to its session (those that sent to it or read its history).</summary>
    public void Publish(ChatEvent chatEvent)
    {
        var payload = new ChatEventPayload(chatEvent.RunId, chatEvent.MessageId, chatEvent.SessionKey, 0, chatEvent.State,
            chatEvent.State == "final" ? new ChatMessage("assistant", chatEvent.Text ?? "") : null,
            chatEvent.State == "final" ? null : chatEvent.Text);
        void Write(Utf8JsonWriter writer) => JsonSerializer.Serialize(writer, payload, ProtocolJsonContext.Default.ChatEventPayload);
        foreach (var connection in open.Values)
        {
            if (connection.IsSubscribed(chatEvent.SessionKey))
            {
                _ = connection.SendEventAsync("chat", Write);
            }
        }
    }

    private void Tick()
    {
        var ts = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var connection in open.Values)
        {
            _ = connection.SendTickAsync(ts);
        }
    }
}

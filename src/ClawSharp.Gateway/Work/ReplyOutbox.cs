using System.Collections.Concurrent;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Storage;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Work;

/// <summary>
/// Delivers stored replies. The chat event to the WebSocket clients goes out first, in the
/// order the replies were stored, and never waits for a webhook. The POST to the webhook the
/// reply's own message named is sent by one worker per webhook URL: replies to one URL go one
/// at a time, oldest due first (so a session's replies reach its webhook in order, as before),
/// while other URLs are served beside it, at most <c>webhooks.maxConcurrentDeliveries</c> at
/// once, so a slow or dead webhook delays only its own replies. A failed POST is retried with
/// backoff (1 s doubling, capped at 60 s) until <c>webhooks.maxAttempts</c> or
/// <c>webhooks.maxAgeMs</c>, then the reply is failed (its chat event went out; the webhook
/// is not tried again). A reply stays pending across restarts; a delivery cut by a crash is
/// sent again under the same message id. While the gateway drains, only first attempts start:
/// a reply in backoff waits for the next generation instead of holding the drain.
/// </summary>
internal sealed class ReplyOutbox(
    GatewayStore store, IChatEventSink events, WebhookSender sender, WebhookOptions options, ILogger logger, TimeProvider time,
    Func<bool> draining, Action changed)
{
    private const int PublishBatch = 256;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);
    private readonly SemaphoreSlim wake = new(0, 1);
    private readonly ConcurrentDictionary<string, Task> workers = new(StringComparer.Ordinal);
    private int inFlight;
    // The newest reply whose chat event went out in this generation (ids grow in commit order).
    private long publishedThrough;
    // Marks committed that made a webhook reply due, and how many there were when the store was last seen with no
    // webhook reply pending: while the two match, the loop skips the queries for due POSTs (a reply without a
    // webhook, all an HTTP or WebSocket client's traffic, then costs the loop one read, not three).
    private long webhookMarks;
    private long noWebhookPendingAsOf = -1;

    /// <summary>Webhook workers with a reply to send (the replies are also still pending in the store).</summary>
    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>A new reply is stored, or a worker ended: look again now.</summary>
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
        store.RepublishUnattemptedReplies();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (Publish() == PublishBatch)
                {
                    continue;
                }
                var marks = Volatile.Read(ref webhookMarks);
                var next = marks == noWebhookPendingAsOf ? Timeout.InfiniteTimeSpan : StartDueWebhooks(marks, stopping);
                await wake.WaitAsync(next, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
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
                    break;
                }
            }
        }
        await Task.WhenAll(workers.Values).ConfigureAwait(false);
    }

    /// <summary>Workers for the webhook URLs with a POST due; returns the wait until the next one is due.</summary>
    /// <param name="marks">The count of webhook marks read before looking: if none is pending, that is as of then.</param>
    private TimeSpan StartDueWebhooks(long marks, CancellationToken stopping)
    {
        var firstAttemptsOnly = draining();
        // Workers are started only here: with none before and none after, none ran while this looked.
        var noneSending = workers.IsEmpty;
        var free = options.MaxConcurrentDeliveries - workers.Count;
        if (free > 0)
        {
            foreach (var url in store.DueWebhookDestinations([.. workers.Keys], firstAttemptsOnly, free))
            {
                StartWorker(url, stopping);
            }
        }
        var due = store.NextWebhookDueAt([.. workers.Keys], firstAttemptsOnly);
        if (due is null && noneSending && workers.IsEmpty && !firstAttemptsOnly)
        {
            // Nothing pending and nobody sending: until a mark makes a webhook reply due, there is nothing to look for.
            noWebhookPendingAsOf = marks;
        }
        return NextWake(due);
    }

    /// <summary>
    /// Chat events of the replies not yet announced, oldest first; a reply without a webhook is
    /// then delivered. The mark is one write for the lot, and the next look does not wait for its
    /// commit: replies are numbered in commit order, so the ones after the last published are the
    /// new ones. A crash before the mark commits publishes them again at the next start, under the
    /// same message ids.
    /// </summary>
    private int Publish()
    {
        var after = Volatile.Read(ref publishedThrough);
        var replies = store.UnpublishedReplies(after, PublishBatch);
        if (replies.Count == 0)
        {
            return 0;
        }
        foreach (var reply in replies)
        {
            events.Publish(new ChatEvent(reply.RunId, reply.MessageId, reply.SessionKey, reply.State, reply.Text));
        }
        // Unless a failed mark moved it back meanwhile: then those replies are looked at again first.
        Interlocked.CompareExchange(ref publishedThrough, replies[^1].Id, after);
        _ = MarkPublishedAsync([.. replies.Select(r => (r.Id, r.WebhookUrl is null))]);
        return replies.Count;
    }

    private async Task MarkPublishedAsync(IReadOnlyList<(long ReplyId, bool Delivered)> replies)
    {
        // Only a webhook reply (due for its POST once marked) or a failed mark needs the loop to look again.
        var lookAgain = replies.Any(reply => !reply.Delivered);
        try
        {
            await store.MarkPublishedAsync(replies).ConfigureAwait(false);
            if (lookAgain)
            {
                Interlocked.Increment(ref webhookMarks);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Their events went out but the store did not take the mark (a full disk): announce them again (same
            // message ids, as after a crash) and mark them then, after a pause rather than in a loop.
            WorkLog.OutboxFailed(logger, e);
            MoveBackTo(replies[0].ReplyId - 1);
            lookAgain = true;
            await Task.Delay(TimeSpan.FromSeconds(1), time).ConfigureAwait(false);
        }
        // A drain waits for the mark; a webhook reply is due for its POST only once marked.
        changed();
        if (lookAgain)
        {
            Notify();
        }
    }

    private void MoveBackTo(long replyId)
    {
        long current;
        do
        {
            current = Volatile.Read(ref publishedThrough);
            if (current <= replyId)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref publishedThrough, replyId, current) != current);
    }

    /// <summary>Until the next attempt not already with a worker is due; a due one with no free worker waits for a worker to end (it notifies).</summary>
    private TimeSpan NextWake(long? due)
    {
        if (due is not { } at)
        {
            return Timeout.InfiniteTimeSpan;
        }
        var wait = at - time.GetUtcNow().ToUnixTimeMilliseconds();
        if (wait > 0)
        {
            return TimeSpan.FromMilliseconds(wait);
        }
        // Due now: either every worker slot is taken (a worker's end wakes this loop) or a worker
        // for that URL was ending while this loop looked; look again shortly rather than spin.
        return workers.Count >= options.MaxConcurrentDeliveries ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(50);
    }

    private void StartWorker(string url, CancellationToken stopping)
    {
        // Registered before it runs, so that its own removal at the end always finds it.
        var worker = new Task<Task>(() => ServeAsync(url, stopping));
        if (workers.TryAdd(url, worker.Unwrap()))
        {
            Interlocked.Increment(ref inFlight);
            worker.Start(TaskScheduler.Default);
        }
    }

    /// <summary>One webhook URL: its due replies, oldest first, one at a time, until none is due.</summary>
    private async Task ServeAsync(string url, CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested && store.NextDueReplyTo(url, draining()) is { } reply)
            {
                await DeliverAsync(reply, stopping).ConfigureAwait(false);
                changed();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The generation closes: the reply stays pending and the next one sends it again.
        }
        catch (Exception e)
        {
            WorkLog.OutboxFailed(logger, e);
        }
        finally
        {
            workers.TryRemove(url, out _);
            Interlocked.Decrement(ref inFlight);
            changed();
            Notify();
        }
    }

    private async Task DeliverAsync(PendingReply reply, CancellationToken stopping)
    {
        var attempt = await sender.PostAsync(reply, stopping).ConfigureAwait(false);
        if (attempt.Delivered)
        {
            await store.MarkDeliveredAsync(reply.Id).ConfigureAwait(false);
            return;
        }
        var attempts = reply.Attempts + 1;
        var error = attempt.Error!;
        var origin = WebhookOrigin.Of(reply.WebhookUrl!);
        var age = TimeSpan.FromMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds() - reply.CreatedAt);
        if (attempt.Refused || attempts >= options.MaxAttempts || age >= options.MaxAge)
        {
            var reason = attempt.Refused ? "its address is refused"
                : attempts >= options.MaxAttempts ? $"{attempts} attempt(s), webhooks.maxAttempts"
                : $"{age.TotalMilliseconds:F0} ms old, webhooks.maxAgeMs";
            store.MarkFailed(reply.Id, error);
            WorkLog.WebhookGaveUp(logger, reply.RunId, reply.SessionKey, origin, attempts, error, reason);
            return;
        }
        var delay = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, reply.Attempts)));
        WorkLog.WebhookFailed(logger, reply.RunId, origin, attempts, error, delay.TotalMilliseconds);
        store.ScheduleRetry(reply.Id, delay, error);
    }
}

namespace ClawSharp.Gateway.Storage;

/// <summary>
/// The reply outbox. A reply is pending until delivered or failed; its chat event goes out
/// once (<c>published</c>), its webhook POST is tried until a 2xx, the attempt cap or the age
/// cap. Each reply carries the webhook URL its own message named.
/// </summary>
internal sealed partial class GatewayStore
{
    private const string ReplyColumns = "id, run_id, message_id, session_key, state, text, attempts, webhook_url, created_at";

    /// <summary>Pending replies whose chat event has not gone out, newer than reply <paramref name="after"/>, oldest first.</summary>
    public IReadOnlyList<PendingReply> UnpublishedReplies(long after, int limit)
    {
        lock (readGate)
        {
            using var command = ReadCommand(
                $"SELECT {ReplyColumns} FROM replies WHERE delivered = 0 AND failed_at IS NULL AND published = 0 AND id > $after ORDER BY id LIMIT $limit");
            command.Parameters.AddWithValue("$after", after);
            command.Parameters.AddWithValue("$limit", limit);
            return ReadReplies(command);
        }
    }

    /// <summary>
    /// The chat events of these replies went out; a reply with no webhook is then delivered.
    /// One write for the lot (group commit). Not synced on its own: a power cut that loses it
    /// announces the replies again at the next start, under the same message ids, as a crash does.
    /// </summary>
    public Task MarkPublishedAsync(IReadOnlyList<(long ReplyId, bool Delivered)> replies) =>
        writer.WriteAsync(transaction =>
        {
            using (var delivered = Command(
                "UPDATE replies SET published = 1, delivered = 1, delivered_at = $now, attempts = attempts + 1 WHERE id IN (SELECT value FROM json_each($ids))",
                transaction))
            {
                delivered.Parameters.AddWithValue("$now", Now);
                delivered.Parameters.AddWithValue("$ids", JsonArray(replies.Where(r => r.Delivered).Select(r => r.ReplyId)));
                delivered.ExecuteNonQuery();
            }
            using (var published = Command("UPDATE replies SET published = 1 WHERE id IN (SELECT value FROM json_each($ids))", transaction))
            {
                published.Parameters.AddWithValue("$ids", JsonArray(replies.Where(r => !r.Delivered).Select(r => r.ReplyId)));
                published.ExecuteNonQuery();
            }
            return replies.Count;
        }, mayBeLostInAPowerCut: true);

    /// <summary>At start: a reply whose first attempt a crash cut publishes its chat event again (same message id).</summary>
    public void RepublishUnattemptedReplies()
    {
        lock (gate)
        {
            using var command = Command("UPDATE replies SET published = 0 WHERE delivered = 0 AND failed_at IS NULL AND attempts = 0");
            command.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Webhook URLs with a POST due now, other than <paramref name="busy"/> (those being served),
    /// by their oldest due reply first. <paramref name="firstAttemptsOnly"/>: retries wait (a drain).
    /// </summary>
    public IReadOnlyList<string> DueWebhookDestinations(IReadOnlyCollection<string> busy, bool firstAttemptsOnly, int limit)
    {
        lock (gate)
        {
            using var command = Command(
                """
                SELECT webhook_url FROM replies
                WHERE delivered = 0 AND failed_at IS NULL AND published = 1 AND webhook_url IS NOT NULL AND next_attempt_at <= $now
                    AND ($first = 0 OR attempts = 0) AND webhook_url NOT IN (SELECT value FROM json_each($busy))
                GROUP BY webhook_url ORDER BY MIN(id) LIMIT $limit
                """);
            command.Parameters.AddWithValue("$now", Now);
            command.Parameters.AddWithValue("$first", firstAttemptsOnly ? 1 : 0);
            command.Parameters.AddWithValue("$busy", JsonArray(busy));
            command.Parameters.AddWithValue("$limit", limit);
            return ReadStrings(command);
        }
    }

    /// <summary>The oldest reply due now to one webhook URL, or null when none is.</summary>
    public PendingReply? NextDueReplyTo(string webhookUrl, bool firstAttemptsOnly)
    {
        lock (gate)
        {
            using var command = Command(
                $"""
                SELECT {ReplyColumns} FROM replies
                WHERE webhook_url = $url AND delivered = 0 AND failed_at IS NULL AND published = 1 AND next_attempt_at <= $now
                    AND ($first = 0 OR attempts = 0)
                ORDER BY id LIMIT 1
                """);
            command.Parameters.AddWithValue("$url", webhookUrl);
            command.Parameters.AddWithValue("$now", Now);
            command.Parameters.AddWithValue("$first", firstAttemptsOnly ? 1 : 0);
            var replies = ReadReplies(command);
            return replies.Count == 0 ? null : replies[0];
        }
    }

    /// <summary>
    /// When the next webhook attempt not to <paramref name="busy"/> is due (unix ms), or null
    /// when none is pending; <paramref name="firstAttemptsOnly"/> as in <see cref="DueWebhookDestinations"/>.
    /// </summary>
    public long? NextWebhookDueAt(IReadOnlyCollection<string> busy, bool firstAttemptsOnly)
    {
        lock (gate)
        {
            using var command = Command(
                """
                SELECT MIN(next_attempt_at) FROM replies
                WHERE delivered = 0 AND failed_at IS NULL AND published = 1 AND webhook_url IS NOT NULL
                    AND ($first = 0 OR attempts = 0) AND webhook_url NOT IN (SELECT value FROM json_each($busy))
                """);
            command.Parameters.AddWithValue("$first", firstAttemptsOnly ? 1 : 0);
            command.Parameters.AddWithValue("$busy", JsonArray(busy));
            return command.ExecuteScalar() is long due ? due : null;
        }
    }

    /// <summary>
    /// True when a reply waits to be delivered now on its first attempt (its chat event, or a
    /// webhook POST never tried). A reply in retry backoff (its webhook failed) does not count:
    /// it does not hold a drain and is retried after the restart.
    /// </summary>
    public bool HasDueFirstDeliveries()
    {
        lock (readGate)
        {
            using var command = ReadCommand(
                """
                SELECT EXISTS (SELECT 1 FROM replies WHERE delivered = 0 AND failed_at IS NULL AND attempts = 0
                    AND (published = 0 OR next_attempt_at <= $now))
                """);
            command.Parameters.AddWithValue("$now", Now);
            return (long)command.ExecuteScalar()! == 1;
        }
    }

    /// <summary>Replies neither delivered nor failed.</summary>
    public long PendingReplyCount()
    {
        lock (readGate)
        {
            using var command = ReadCommand("SELECT COUNT(*) FROM replies WHERE delivered = 0 AND failed_at IS NULL");
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <summary>Replies whose webhook delivery failed for good (out of attempts or age, or refused).</summary>
    public long FailedReplyCount()
    {
        lock (readGate)
        {
            using var command = ReadCommand("SELECT COUNT(*) FROM replies WHERE failed_at IS NOT NULL");
            return (long)command.ExecuteScalar()!;
        }
    }

    /// <summary>A webhook answered 2xx. Not synced on its own: a power cut that loses it POSTs the reply again, same message id.</summary>
    public Task MarkDeliveredAsync(long replyId) =>
        writer.WriteAsync(transaction =>
        {
            using var command = Command("UPDATE replies SET delivered = 1, delivered_at = $now, attempts = attempts + 1 WHERE id = $id", transaction);
            command.Parameters.AddWithValue("$now", Now);
            command.Parameters.AddWithValue("$id", replyId);
            return command.ExecuteNonQuery();
        }, mayBeLostInAPowerCut: true);

    public void ScheduleRetry(long replyId, TimeSpan delay, string error)
    {
        lock (gate)
        {
            using var command = Command("UPDATE replies SET attempts = attempts + 1, next_attempt_at = $next, last_error = $error WHERE id = $id");
            command.Parameters.AddWithValue("$next", Now + (long)delay.TotalMilliseconds);
            command.Parameters.AddWithValue("$error", error);
            command.Parameters.AddWithValue("$id", replyId);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The webhook will not be tried again: the reply is failed, no longer pending (its chat event went out).</summary>
    public void MarkFailed(long replyId, string error)
    {
        lock (gate)
        {
            using var command = Command("UPDATE replies SET attempts = attempts + 1, failed_at = $now, last_error = $error WHERE id = $id");
            command.Parameters.AddWithValue("$now", Now);
            command.Parameters.AddWithValue("$error", error);
            command.Parameters.AddWithValue("$id", replyId);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The reply of a run (state and text), or null while it has none.</summary>
    public (string MessageId, string SessionKey, string State, string? Text)? ReplyOf(string runId)
    {
        lock (readGate)
        {
            using var command = ReadCommand("SELECT message_id, session_key, state, text FROM replies WHERE run_id = $id");
            command.Parameters.AddWithValue("$id", runId);
            using var reader = command.ExecuteReader();
            return reader.Read() ? (reader.GetString(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3)) : null;
        }
    }

    private static List<PendingReply> ReadReplies(PreparedCommand command)
    {
        using var reader = command.ExecuteReader();
        var replies = new List<PendingReply>();
        while (reader.Read())
        {
            replies.Add(new PendingReply(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), NullableString(reader, 5), reader.GetInt32(6), NullableString(reader, 7), reader.GetInt64(8)));
        }
        return replies;
    }

    private static string JsonArray(IEnumerable<long> values) => $"[{string.Join(',', values)}]";

    private static string JsonArray(IReadOnlyCollection<string> values)
    {
        using var stream = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}

namespace ClawSharp.Gateway.Storage;

internal sealed partial class GatewayStore
{
    /// <summary>Replies not yet delivered whose next attempt is due, oldest first.</summary>
    public IReadOnlyList<PendingReply> DueReplies(int limit)
    {
        lock (gate)
        {
            using var command = Command(
                """
                SELECT p.id, p.run_id, p.message_id, p.session_key, p.state, p.text, p.attempts, s.webhook_url
                FROM replies p JOIN sessions s ON s.key = p.session_key
                WHERE p.delivered = 0 AND p.next_attempt_at <= $now ORDER BY p.id LIMIT $limit
                """);
            command.Parameters.AddWithValue("$now", Now);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var replies = new List<PendingReply>();
            while (reader.Read())
            {
                replies.Add(new PendingReply(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.GetString(4), NullableString(reader, 5), reader.GetInt32(6), NullableString(reader, 7)));
            }
            return replies;
        }
    }

    /// <summary>When the next pending reply is due (unix ms), or null when none is pending.</summary>
    public long? NextReplyDueAt()
    {
        lock (gate)
        {
            using var command = Command("SELECT MIN(next_attempt_at) FROM replies WHERE delivered = 0");
            return command.ExecuteScalar() is long due ? due : null;
        }
    }

    /// <summary>True when a reply waits to be delivered now (not one waiting for a later retry).</summary>
    public bool HasDueReplies()
    {
        lock (gate)
        {
            using var command = Command("SELECT EXISTS (SELECT 1 FROM replies WHERE delivered = 0 AND next_attempt_at <= $now)");
            command.Parameters.AddWithValue("$now", Now);
            return (long)command.ExecuteScalar()! == 1;
        }
    }

    public long PendingReplyCount()
    {
        lock (gate)
        {
            using var command = Command("SELECT COUNT(*) FROM replies WHERE delivered = 0");
            return (long)command.ExecuteScalar()!;
        }
    }

    public void MarkDelivered(long replyId)
    {
        lock (gate)
        {
            using var command = Command("UPDATE replies SET delivered = 1, delivered_at = $now, attempts = attempts + 1 WHERE id = $id");
            command.Parameters.AddWithValue("$now", Now);
            command.Parameters.AddWithValue("$id", replyId);
            command.ExecuteNonQuery();
        }
    }

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

    /// <summary>The reply of a run (state and text), or null while it has none.</summary>
    public (string MessageId, string SessionKey, string State, string? Text)? ReplyOf(string runId)
    {
        lock (gate)
        {
            using var command = Command("SELECT message_id, session_key, state, text FROM replies WHERE run_id = $id");
            command.Parameters.AddWithValue("$id", runId);
            using var reader = command.ExecuteReader();
            return reader.Read() ? (reader.GetString(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3)) : null;
        }
    }
}

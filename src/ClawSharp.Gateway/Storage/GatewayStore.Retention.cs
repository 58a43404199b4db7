namespace ClawSharp.Gateway.Storage;

/// <summary>
/// Retention: what the hourly sweep deletes, in bounded batches. Each batch is found by a read
/// first and deleted in its own short transaction (<see cref="RetentionBatch"/> rows), with the
/// lock released in between, so a first prune of a large store never holds the writer for long;
/// a sweep that finds nothing opens no write transaction (an idle gateway writes nothing).
/// </summary>
internal sealed partial class GatewayStore
{
    /// <summary>Rows deleted per transaction by a prune.</summary>
    public const int RetentionBatch = 1000;

    /// <summary>
    /// Deletes the finished work of messages accepted before <paramref name="acceptedBefore"/>:
    /// the message, its run and its reply, together. Never a run queued or running, never a
    /// reply still pending delivery (neither delivered nor failed): those are kept whatever
    /// their age. An idempotency key is therefore remembered at least as long as the retention
    /// after its message was accepted. Sessions are kept (a session holds its agent). Returns
    /// how many messages were deleted; stops between batches when <paramref name="cancellationToken"/> ends.
    /// </summary>
    public int PruneFinishedWork(DateTimeOffset acceptedBefore, CancellationToken cancellationToken, int batch = RetentionBatch)
    {
        var deleted = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            int count;
            lock (gate)
            {
                var (messageIds, runIds) = FinishedWorkBatch(acceptedBefore.ToUnixTimeMilliseconds(), batch);
                if (messageIds.Count == 0)
                {
                    break;
                }
                using var transaction = connection.BeginTransaction();
                using (var delete = Command(
                    """
                    DELETE FROM replies WHERE run_id IN (SELECT value FROM json_each($runs));
                    DELETE FROM runs WHERE id IN (SELECT value FROM json_each($runs));
                    DELETE FROM messages WHERE id IN (SELECT value FROM json_each($messages));
                    """, transaction))
                {
                    delete.Parameters.AddWithValue("$runs", JsonArray(runIds));
                    delete.Parameters.AddWithValue("$messages", JsonArray(messageIds));
                    delete.ExecuteNonQuery();
                }
                transaction.Commit();
                count = messageIds.Count;
            }
            deleted += count;
            if (count < batch)
            {
                break;
            }
        }
        return deleted;
    }

    /// <summary>Deletes tasks that ended before <paramref name="endedBefore"/>, in batches, writing nothing when there are none; returns how many.</summary>
    public int PruneEndedTasks(DateTimeOffset endedBefore, CancellationToken cancellationToken, int batch = RetentionBatch)
    {
        var deleted = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            int count;
            lock (gate)
            {
                List<string> ids;
                using (var select = Command("SELECT id FROM tasks WHERE status NOT IN ('queued', 'running') AND ended_at < $before LIMIT $limit"))
                {
                    select.Parameters.AddWithValue("$before", endedBefore.ToUnixTimeMilliseconds());
                    select.Parameters.AddWithValue("$limit", batch);
                    ids = ReadStrings(select);
                }
                if (ids.Count == 0)
                {
                    break;
                }
                using var delete = Command("DELETE FROM tasks WHERE id IN (SELECT value FROM json_each($ids))");
                delete.Parameters.AddWithValue("$ids", JsonArray(ids));
                count = delete.ExecuteNonQuery();
            }
            deleted += count;
            if (count < batch)
            {
                break;
            }
        }
        return deleted;
    }

    /// <summary>Up to <paramref name="limit"/> settled messages accepted before <paramref name="before"/> (unix ms), oldest first, with their runs.</summary>
    private (List<string> Messages, List<string> Runs) FinishedWorkBatch(long before, int limit)
    {
        using var select = Command(
            """
            SELECT m.id, r.id FROM messages m
                JOIN runs r ON r.message_id = m.id
                JOIN replies p ON p.run_id = r.id
            WHERE m.created_at < $before AND r.status NOT IN ('queued', 'running') AND (p.delivered = 1 OR p.failed_at IS NOT NULL)
            ORDER BY m.created_at LIMIT $limit
            """);
        select.Parameters.AddWithValue("$before", before);
        select.Parameters.AddWithValue("$limit", limit);
        using var reader = select.ExecuteReader();
        var messages = new List<string>();
        var runs = new List<string>();
        while (reader.Read())
        {
            messages.Add(reader.GetString(0));
            runs.Add(reader.GetString(1));
        }
        return (messages, runs);
    }
}

using Microsoft.Data.Sqlite;

namespace ClawSharp.Gateway.Storage;

internal sealed partial class GatewayStore
{
    /// <summary>
    /// Commits a new message and its queued run (group commit: in the batch of writes waiting
    /// now), or returns the first message's ids when the idempotency key was seen before in the
    /// same session (keys are per session; an earlier write of the same batch counts). Only once
    /// this completes is a message accepted. The webhook URL is the message's own: its reply goes
    /// there, whatever later messages of the session name. <paramref name="committed"/> hears of
    /// each accepted message in commit order (the order of the session's runs), before its caller does.
    /// </summary>
    /// <param name="answerAtOnce">
    /// Asked, inside the write, for the run of a session with no other run in flight (as of the
    /// writes before this one): an answer made at once with no effect outside the gateway, or null.
    /// With an answer the run is written already ended, with its reply, in the accepting write: no
    /// second write, no wait for the lane. Must be quick and must not touch the store.
    /// </param>
    public Task<AcceptedMessage> AcceptMessageAsync(string sessionKey, string text, string? idempotencyKey, string agent, string? webhookUrl,
        Action<AcceptedMessage>? committed = null, Func<RunWork, RunEnding?>? answerAtOnce = null) =>
        writer.WriteAsync(transaction => AcceptMessage(transaction, sessionKey, text, idempotencyKey, agent, webhookUrl, answerAtOnce), accepted =>
        {
            if (!accepted.Duplicate)
            {
                RememberSession(sessionKey, webhookUrl);
            }
            committed?.Invoke(accepted);
        });

    /// <summary>Marks a queued run running (one more attempt) once committed; null when it is no longer queued (aborted meanwhile).</summary>
    public Task<RunWork?> StartRunAsync(string runId) => writer.WriteAsync(transaction => StartRun(transaction, runId));

    /// <summary>
    /// Ends a run and puts its reply in the outbox, in one transaction: a run is never
    /// answered twice, and a completed run is never run again.
    /// </summary>
    public Task FinishRunAsync(string runId, RunEnding ending) =>
        writer.WriteAsync(transaction =>
        {
            FinishRun(transaction, runId, ending.Status, ending.ReplyState, ending.Text, ending.Error);
            return true;
        });

    /// <summary>
    /// A queued run's work (its message, the agent of its session), read from the last commit
    /// without waiting for the writer; null when the run is not queued (aborted meanwhile).
    /// </summary>
    public RunWork? QueuedRun(string runId)
    {
        lock (readGate)
        {
            using var command = ReadCommand(
                """
                SELECT r.id, r.message_id, r.session_key, m.text, s.agent, r.attempts
                FROM runs r JOIN messages m ON m.id = r.message_id JOIN sessions s ON s.key = r.session_key
                WHERE r.id = $id AND r.status = 'queued'
                """);
            command.Parameters.AddWithValue("$id", runId);
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new RunWork(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5))
                : null;
        }
    }

    /// <summary>
    /// Starts and ends a queued run in one write, with its reply: for an answer made in the
    /// gateway at once, with no effect outside it, so that a crash before the commit only
    /// leaves the run queued, to be answered after the restart. False (and nothing written)
    /// when the run is no longer queued: an abort came first and answered it.
    /// </summary>
    public Task<bool> EndQueuedRunAsync(string runId, RunEnding ending) =>
        writer.WriteAsync(transaction =>
        {
            var now = Now;
            using (var update = Command(
                "UPDATE runs SET status = $status, attempts = attempts + 1, started_at = $now, error = $error, ended_at = $now WHERE id = $id AND status = 'queued'",
                transaction))
            {
                update.Parameters.AddWithValue("$status", StatusNames.Of(ending.Status));
                update.Parameters.AddWithValue("$error", Db(ending.Error));
                update.Parameters.AddWithValue("$now", now);
                update.Parameters.AddWithValue("$id", runId);
                if (update.ExecuteNonQuery() == 0)
                {
                    return false;
                }
            }
            InsertReply(transaction, runId, ending.ReplyState, ending.Text ?? ending.Error, now);
            return true;
        });

    /// <summary>Puts a run that was cut off (abort on restart) back in the queue for after the restart.</summary>
    public Task RequeueRunAsync(string runId) =>
        writer.WriteAsync(transaction =>
        {
            using var command = Command("UPDATE runs SET status = 'queued', started_at = NULL WHERE id = $id AND status = 'running'", transaction);
            command.Parameters.AddWithValue("$id", runId);
            return command.ExecuteNonQuery();
        });

    /// <summary>Aborts a run that has not started yet; false when it is not queued.</summary>
    public bool AbortQueuedRun(string runId)
    {
        lock (gate)
        {
            using var transaction = connection.BeginTransaction();
            // 'aborted' and its reply in one transaction: the run cannot start after all, and it is answered once.
            using (var command = Command("UPDATE runs SET status = 'aborted' WHERE id = $id AND status = 'queued'", transaction))
            {
                command.Parameters.AddWithValue("$id", runId);
                if (command.ExecuteNonQuery() == 0)
                {
                    return false;
                }
            }
            FinishRun(transaction, runId, RunStatus.Aborted, "aborted", null, "aborted before it started");
            transaction.Commit();
            return true;
        }
    }

    /// <summary>
    /// At start: runs left running by a dead process become interrupted and are queued again
    /// once; a run interrupted a second time fails. Returns the queued runs in arrival order.
    /// </summary>
    public (IReadOnlyList<string> Queued, int Requeued, int Failed) RecoverRuns()
    {
        int requeued, failed;
        lock (gate)
        {
            using var transaction = connection.BeginTransaction();
            using (var fail = Command("UPDATE runs SET status = 'interrupted' WHERE status = 'running' AND attempts >= 2", transaction))
            {
                failed = fail.ExecuteNonQuery();
            }
            using (var requeue = Command("UPDATE runs SET status = 'queued', started_at = NULL WHERE status = 'running'", transaction))
            {
                requeued = requeue.ExecuteNonQuery();
            }
            // Ended runs still owed a reply (cut by a crash between the status change and the reply): answer them now, once.
            foreach (var (runId, status) in EndedRunsWithoutReply(transaction))
            {
                if (status == RunStatus.Aborted)
                {
                    FinishRun(transaction, runId, RunStatus.Aborted, "aborted", null, "aborted before it started");
                }
                else
                {
                    FinishRun(transaction, runId, RunStatus.Interrupted, "error", null, "interrupted twice by a gateway restart");
                }
            }
            transaction.Commit();
        }
        return (RunIds("queued"), requeued, failed);
    }

    private AcceptedMessage AcceptMessage(SqliteTransaction transaction, string sessionKey, string text, string? idempotencyKey, string agent,
        string? webhookUrl, Func<RunWork, RunEnding?>? answerAtOnce)
    {
        if (idempotencyKey is not null)
        {
            using var existing = Command(
                "SELECT m.id, r.id, m.session_key, r.status FROM messages m JOIN runs r ON r.message_id = m.id WHERE m.session_key = $session AND m.session_idempotency_key = $key",
                transaction);
            existing.Parameters.AddWithValue("$session", sessionKey);
            existing.Parameters.AddWithValue("$key", idempotencyKey);
            using var reader = existing.ExecuteReader();
            if (reader.Read())
            {
                return new AcceptedMessage(reader.GetString(0), reader.GetString(1), reader.GetString(2), StatusNames.ParseRun(reader.GetString(3)), Duplicate: true);
            }
        }
        var now = Now;
        // A session is only written when it is new or its webhook changes: not one row rewrite per message, and (known
        // here) not even the statement.
        if (!knownSessions.TryGetValue(sessionKey, out var knownWebhook) || (webhookUrl is not null && webhookUrl != knownWebhook))
        {
            UpsertSession(transaction, sessionKey, agent, webhookUrl, now);
        }
        var messageId = NewId("msg");
        var runId = NewId("run");
        var ending = answerAtOnce is null ? null : AnswerIfIdle(transaction, new RunWork(runId, messageId, sessionKey, text, agent, 1), answerAtOnce);
        using (var message = Command(
            """
            INSERT INTO messages (id, session_key, session_idempotency_key, text, webhook_url, created_at) VALUES ($id, $session, $key, $text, $webhook, $now);
            INSERT INTO runs (id, seq, message_id, session_key, status, attempts, error, created_at, started_at, ended_at)
                VALUES ($run, (SELECT COALESCE(MAX(seq), 0) + 1 FROM runs), $id, $session, $status, $attempts, $error, $now, $ended, $ended);
            """, transaction))
        {
            message.Parameters.AddWithValue("$id", messageId);
            message.Parameters.AddWithValue("$session", sessionKey);
            message.Parameters.AddWithValue("$key", Db(idempotencyKey));
            message.Parameters.AddWithValue("$text", text);
            message.Parameters.AddWithValue("$webhook", Db(webhookUrl));
            message.Parameters.AddWithValue("$now", now);
            message.Parameters.AddWithValue("$run", runId);
            message.Parameters.AddWithValue("$status", StatusNames.Of(ending?.Status ?? RunStatus.Queued));
            message.Parameters.AddWithValue("$attempts", ending is null ? 0 : 1);
            message.Parameters.AddWithValue("$error", Db(ending?.Error));
            message.Parameters.AddWithValue("$ended", ending is null ? DBNull.Value : (object)now);
            message.ExecuteNonQuery();
        }
        if (ending is not null)
        {
            InsertReply(transaction, runId, ending.ReplyState, ending.Text ?? ending.Error, now);
        }
        return new AcceptedMessage(messageId, runId, sessionKey, ending?.Status ?? RunStatus.Queued, Duplicate: false);
    }

    /// <summary>
    /// The at-once answer for a new message's run, when its session has no run in flight as of
    /// the writes before this one (so the answer cannot overtake an earlier message of the
    /// session), run by the agent the session already has. Null: the run queues as usual (also
    /// when the answer throws: the lane's path then meets the same fault and reports it).
    /// </summary>
    private RunEnding? AnswerIfIdle(SqliteTransaction transaction, RunWork work, Func<RunWork, RunEnding?> answerAtOnce)
    {
        using var idle = Command(
            """
            SELECT s.agent FROM sessions s WHERE s.key = $session
                AND NOT EXISTS (SELECT 1 FROM runs WHERE session_key = $session AND status IN ('queued', 'running'))
            """, transaction);
        idle.Parameters.AddWithValue("$session", work.SessionKey);
        if (idle.ExecuteScalar() is not string agent)
        {
            return null;
        }
        try
        {
            return answerAtOnce(work with { Agent = agent });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private void UpsertSession(SqliteTransaction transaction, string sessionKey, string agent, string? webhookUrl, long now)
    {
        using var session = Command(
            "INSERT INTO sessions (key, agent, webhook_url, created_at) VALUES ($key, $agent, $webhook, $now) ON CONFLICT(key) DO UPDATE SET webhook_url = $webhook WHERE $webhook IS NOT NULL AND webhook_url IS NOT $webhook",
            transaction);
        session.Parameters.AddWithValue("$key", sessionKey);
        session.Parameters.AddWithValue("$agent", agent);
        session.Parameters.AddWithValue("$webhook", Db(webhookUrl));
        session.Parameters.AddWithValue("$now", now);
        session.ExecuteNonQuery();
    }

    /// <summary>
    /// A session whose row is committed, with the webhook it now has (null: none given since this
    /// process knew it, so the row may hold one; only a new webhook writes it). Sessions are never
    /// deleted. Touched only on the writer's thread: in writes, and in their committed callbacks.
    /// </summary>
    private void RememberSession(string sessionKey, string? webhookUrl)
    {
        if (knownSessions.Count >= MaxKnownSessions && !knownSessions.ContainsKey(sessionKey))
        {
            // Forgetting only costs a statement that writes nothing.
            knownSessions.Clear();
        }
        if (webhookUrl is not null || !knownSessions.ContainsKey(sessionKey))
        {
            knownSessions[sessionKey] = webhookUrl;
        }
    }

    private RunWork? StartRun(SqliteTransaction transaction, string runId)
    {
        using var command = Command(
            """
            UPDATE runs SET status = 'running', attempts = attempts + 1, started_at = $now WHERE id = $id AND status = 'queued'
            RETURNING id, message_id, session_key, attempts,
                (SELECT text FROM messages WHERE id = runs.message_id),
                (SELECT agent FROM sessions WHERE key = runs.session_key)
            """, transaction);
        command.Parameters.AddWithValue("$id", runId);
        command.Parameters.AddWithValue("$now", Now);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new RunWork(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(4), reader.GetString(5), reader.GetInt32(3))
            : null;
    }

    private void FinishRun(SqliteTransaction transaction, string runId, RunStatus status, string replyState, string? text, string? error)
    {
        var now = Now;
        using (var update = Command("UPDATE runs SET status = $status, error = $error, ended_at = $now WHERE id = $id", transaction))
        {
            update.Parameters.AddWithValue("$status", StatusNames.Of(status));
            update.Parameters.AddWithValue("$error", Db(error));
            update.Parameters.AddWithValue("$now", now);
            update.Parameters.AddWithValue("$id", runId);
            update.ExecuteNonQuery();
        }
        InsertReply(transaction, runId, replyState, text ?? error, now);
    }

    /// <summary>A run's reply into the outbox, with the webhook its own message named; never a second one.</summary>
    private void InsertReply(SqliteTransaction transaction, string runId, string replyState, string? text, long now)
    {
        using var reply = Command(
            """
            INSERT OR IGNORE INTO replies (run_id, message_id, session_key, state, text, webhook_url, next_attempt_at, created_at)
            SELECT r.id, r.message_id, r.session_key, $state, $text, m.webhook_url, $now, $now
            FROM runs r JOIN messages m ON m.id = r.message_id WHERE r.id = $id
            """, transaction);
        reply.Parameters.AddWithValue("$state", replyState);
        reply.Parameters.AddWithValue("$text", Db(text));
        reply.Parameters.AddWithValue("$now", now);
        reply.Parameters.AddWithValue("$id", runId);
        reply.ExecuteNonQuery();
    }

    /// <summary>The session of a run, or null when the run does not exist.</summary>
    public string? SessionOfRun(string runId)
    {
        lock (gate)
        {
            using var command = Command("SELECT session_key FROM runs WHERE id = $id");
            command.Parameters.AddWithValue("$id", runId);
            return command.ExecuteScalar() as string;
        }
    }

    /// <summary>The queued and running runs of a session, oldest first.</summary>
    public IReadOnlyList<string> ActiveRunIds(string sessionKey)
    {
        lock (gate)
        {
            using var command = Command("SELECT id FROM runs WHERE session_key = $session AND status IN ('queued', 'running') ORDER BY seq");
            command.Parameters.AddWithValue("$session", sessionKey);
            return ReadStrings(command);
        }
    }

    public IReadOnlyList<HistoryEntry> History(string sessionKey, int limit)
    {
        lock (gate)
        {
            using var command = Command(
                """
                SELECT * FROM (
                    SELECT 'user' AS role, m.text AS content, m.id, r.id, NULL AS state, m.created_at AS ts, 0 AS kind,
                            NULL AS delivery, NULL AS delivery_error, r.seq AS seq
                        FROM messages m JOIN runs r ON r.message_id = m.id WHERE m.session_key = $session
                    UNION ALL
                    SELECT 'assistant', COALESCE(p.text, ''), p.message_id, p.run_id, p.state, p.created_at, 1,
                            CASE WHEN p.delivered = 1 THEN 'delivered' WHEN p.failed_at IS NOT NULL THEN 'failed' ELSE 'pending' END,
                            CASE WHEN p.delivered = 0 THEN p.last_error END, p.id
                        FROM replies p WHERE p.session_key = $session
                    ORDER BY ts DESC, kind DESC, seq DESC LIMIT $limit)
                -- Within one millisecond (a pipelined burst commits many at once) arrival order decides: run seq, reply id.
                ORDER BY ts, kind, seq
                """);
            command.Parameters.AddWithValue("$session", sessionKey);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var entries = new List<HistoryEntry>();
            while (reader.Read())
            {
                entries.Add(new HistoryEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3),
                    NullableString(reader, 4), reader.GetInt64(5), NullableString(reader, 7), NullableString(reader, 8)));
            }
            return entries;
        }
    }

    public IReadOnlyList<SessionSummary> Sessions()
    {
        lock (gate)
        {
            using var command = Command(
                """
                SELECT s.key, s.agent, s.webhook_url, s.created_at,
                    (SELECT COUNT(*) FROM messages m WHERE m.session_key = s.key),
                    COALESCE((SELECT MAX(created_at) FROM messages m WHERE m.session_key = s.key), s.created_at)
                FROM sessions s ORDER BY 6 DESC
                """);
            using var reader = command.ExecuteReader();
            var sessions = new List<SessionSummary>();
            while (reader.Read())
            {
                sessions.Add(new SessionSummary(reader.GetString(0), reader.GetString(1), NullableString(reader, 2), reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetInt64(5)));
            }
            return sessions;
        }
    }

    private List<(string RunId, RunStatus Status)> EndedRunsWithoutReply(SqliteTransaction transaction)
    {
        using var command = Command(
            "SELECT id, status FROM runs r WHERE status IN ('interrupted', 'aborted') AND NOT EXISTS (SELECT 1 FROM replies p WHERE p.run_id = r.id)",
            transaction);
        using var reader = command.ExecuteReader();
        var runs = new List<(string, RunStatus)>();
        while (reader.Read())
        {
            runs.Add((reader.GetString(0), StatusNames.ParseRun(reader.GetString(1))));
        }
        return runs;
    }

    private List<string> RunIds(string status)
    {
        lock (gate)
        {
            using var command = Command("SELECT id FROM runs WHERE status = $status ORDER BY seq");
            command.Parameters.AddWithValue("$status", status);
            return ReadStrings(command);
        }
    }

    private static List<string> ReadStrings(PreparedCommand command)
    {
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}

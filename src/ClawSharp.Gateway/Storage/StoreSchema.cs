namespace ClawSharp.Gateway.Storage;

/// <summary>
/// Versioned migrations, applied in order at open; <c>PRAGMA user_version</c> records the
/// last one applied. Never edit a shipped migration: add the next.
/// </summary>
internal static class StoreSchema
{
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE sessions (
            key TEXT PRIMARY KEY,
            agent TEXT NOT NULL,
            webhook_url TEXT,
            created_at INTEGER NOT NULL);
        CREATE TABLE messages (
            id TEXT PRIMARY KEY,
            session_key TEXT NOT NULL REFERENCES sessions(key),
            idempotency_key TEXT UNIQUE,
            text TEXT NOT NULL,
            created_at INTEGER NOT NULL);
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            message_id TEXT NOT NULL UNIQUE REFERENCES messages(id),
            session_key TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            created_at INTEGER NOT NULL,
            started_at INTEGER,
            ended_at INTEGER);
        CREATE INDEX runs_by_status ON runs(status, seq);
        CREATE TABLE replies (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL UNIQUE REFERENCES runs(id),
            message_id TEXT NOT NULL,
            session_key TEXT NOT NULL,
            state TEXT NOT NULL,
            text TEXT,
            delivered INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_error TEXT,
            created_at INTEGER NOT NULL,
            delivered_at INTEGER);
        CREATE INDEX replies_pending ON replies(next_attempt_at) WHERE delivered = 0;
        CREATE TABLE tasks (
            id TEXT PRIMARY KEY,
            run_id TEXT NOT NULL,
            runtime TEXT NOT NULL,
            label TEXT,
            title TEXT,
            command TEXT NOT NULL,
            session_key TEXT,
            status TEXT NOT NULL,
            restartable INTEGER NOT NULL DEFAULT 0,
            timeout_ms INTEGER,
            exit_code INTEGER,
            output TEXT,
            error TEXT,
            created_at INTEGER NOT NULL,
            started_at INTEGER,
            ended_at INTEGER);
        CREATE INDEX tasks_by_status ON tasks(status, created_at);
        """,
        // 2: MAX(seq) at every accepted message scanned the whole table.
        """
        CREATE UNIQUE INDEX runs_by_seq ON runs(seq);
        """,
        // Webhooks and idempotency (issue 21). Self-contained: it reads no other migration's columns.
        // A reply goes to the webhook its own message named, never to one a later sender set on the
        // session: the URL is kept per message and copied onto the reply (undelivered work of an
        // older store takes the session's URL it would have been sent to). A reply that ran out of
        // attempts or age is failed (failed_at), no longer pending. published: its chat event went out.
        // Idempotency keys are per session: SQLite cannot drop the old column's global UNIQUE without
        // rebuilding the table (which would drop columns other migrations add), so the keys move to a
        // new column under UNIQUE (session_key, session_idempotency_key) and the old one is left NULL.
        """
        ALTER TABLE messages ADD COLUMN webhook_url TEXT;
        ALTER TABLE messages ADD COLUMN session_idempotency_key TEXT;
        ALTER TABLE replies ADD COLUMN webhook_url TEXT;
        ALTER TABLE replies ADD COLUMN failed_at INTEGER;
        ALTER TABLE replies ADD COLUMN published INTEGER NOT NULL DEFAULT 0;
        UPDATE messages SET webhook_url = (SELECT s.webhook_url FROM sessions s WHERE s.key = messages.session_key)
            WHERE NOT EXISTS (SELECT 1 FROM replies p WHERE p.message_id = messages.id AND p.delivered = 1);
        UPDATE replies SET webhook_url = (SELECT s.webhook_url FROM sessions s WHERE s.key = replies.session_key)
            WHERE delivered = 0;
        UPDATE replies SET published = 1 WHERE attempts > 0;
        UPDATE messages SET session_idempotency_key = idempotency_key, idempotency_key = NULL WHERE idempotency_key IS NOT NULL;
        CREATE UNIQUE INDEX messages_by_idempotency_key ON messages(session_key, session_idempotency_key);
        DROP INDEX IF EXISTS replies_pending;
        CREATE INDEX replies_pending ON replies(next_attempt_at) WHERE delivered = 0 AND failed_at IS NULL;
        """,
        // Exec children: the session each exec agent or task command leads, recorded while it
        // runs, so that the next start ends those a killed gateway left behind (before a
        // restartable task runs again); and whether a task's kept output was cut.
        // Self-contained (no reference to other migrations): it may move in the list.
        """
        CREATE TABLE exec_children (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            owner_id TEXT NOT NULL,
            pid INTEGER NOT NULL,
            start_time INTEGER NOT NULL,
            gateway_pid INTEGER NOT NULL,
            created_at INTEGER NOT NULL);
        ALTER TABLE tasks ADD COLUMN output_truncated INTEGER NOT NULL DEFAULT 0;
        """,
        // 5: start-up and status independent of the store's size (issue 18). Partial indexes whose
        // WHERE is the one the queries already spell, so each touches only what is in flight:
        // unpublished and failed replies (the pending ones have replies_pending), ended tasks for
        // the sweep, and what retention walks (old messages by age) and chat.history (a session's
        // replies). Runs by status and MAX(seq) already have runs_by_status and runs_by_seq.
        // Self-contained: it names only columns of migrations 1 and 3, and creates indexes only.
        """
        CREATE INDEX IF NOT EXISTS replies_unpublished ON replies(id) WHERE delivered = 0 AND failed_at IS NULL AND published = 0;
        CREATE INDEX IF NOT EXISTS replies_failed ON replies(failed_at) WHERE failed_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS replies_by_session ON replies(session_key, created_at);
        CREATE INDEX IF NOT EXISTS tasks_ended ON tasks(ended_at) WHERE status NOT IN ('queued', 'running');
        CREATE INDEX IF NOT EXISTS messages_by_age ON messages(created_at);
        """,
        // 6: whether a session has a run in flight, asked at every accepted message (an idle
        // session's at-once run is answered in the accepting write) and by chat.abort. Partial:
        // only queued and running runs are in it, so a run answered at once never touches it.
        // Self-contained: it names only columns of migration 1, and creates an index only.
        """
        CREATE INDEX IF NOT EXISTS runs_in_flight ON runs(session_key, seq) WHERE status IN ('queued', 'running');
        """,
    ];
}

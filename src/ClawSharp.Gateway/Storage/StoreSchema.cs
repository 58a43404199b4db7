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
    ];
}

using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using Microsoft.Data.Sqlite;

namespace ClawSharp.Gateway.Storage;

/// <summary>
/// The durable store, <c>state.db</c> (SQLite, WAL): sessions, messages, runs, the reply
/// outbox and the task registry. One connection for writes, guarded by one lock. The hot writes
/// (accept, run start and end, deliveries) go through the <see cref="StoreWriter"/>, which commits
/// all that is waiting in one transaction (group commit); the rare writes, and reads that decide a
/// write, are short local transactions under the same lock. The hot reads (a queued run's work,
/// replies to publish, the drain's checks) go through a second, query-only connection with a lock
/// of its own: WAL lets it read the last commit while a group commit holds the writer's lock
/// through its fsync. A corrupt or locked database stops the start with a message naming the
/// file; it is never reset silently.
/// </summary>
/// <remarks>
/// Start-up does not depend on the store's size: <see cref="Open"/> reads the header and the
/// schema (a file that is not a database, or a damaged schema, fails there with a clear
/// message), checkpoints the bounded WAL and migrates; it never scans a table (no integrity
/// check: <c>clawsharp doctor --deep</c> runs one on demand). Recovery's queries go through the
/// partial indexes of migration 5. The WAL is bounded: <see cref="WalCheckpointer"/> checkpoints
/// it in the background every <see cref="WalCheckpointer.CheckpointBytes"/> of new frames (the
/// writer itself past <see cref="WalCheckpointer.WriterCheckpointBytes"/>) and <c>journal_size_limit</c> =
/// <see cref="WalSizeLimitBytes"/> truncates it back once a checkpoint completes. Durability per
/// <see cref="StoreDurability"/>. Nothing opens <c>state.db</c> other than through SQLite:
/// closing any descriptor of the file would drop SQLite's POSIX locks on it.
/// </remarks>
internal sealed partial class GatewayStore : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly Lock gate = new();
    private readonly SqliteConnection readConnection;
    private readonly Lock readGate = new();
    private readonly TimeProvider time;
    private readonly StoreWriter writer;
    private readonly WalCheckpointer checkpointer;
    private readonly Dictionary<string, string?> knownSessions = new(StringComparer.Ordinal);

    /// <summary>Sessions remembered as written (see <c>RememberSession</c>); past this many, forgotten at once.</summary>
    private const int MaxKnownSessions = 10_000;

    private GatewayStore(SqliteConnection connection, SqliteConnection readConnection, string path, TimeProvider time, bool durable, int maxBatch,
        TimeSpan commitPause)
    {
        this.connection = connection;
        this.readConnection = readConnection;
        this.time = time;
        Path = path;
        checkpointer = new WalCheckpointer(connection, path, (int)Pragma("page_size"));
        writer = new StoreWriter(connection, gate, maxBatch, Metrics.GatewayMetrics.StoreBatchCommitted, durable, checkpointer.CheckpointIfDue,
            () => checkpointer.CheckpointDue)
        {
            CommitPause = commitPause,
        };
    }

    public string Path { get; }

    /// <summary>WAL checkpoints done by the background thread and by the writer itself, and the WAL's frames as of the last commit (tests, benchmarks).</summary>
    public (int Background, int Writer, int WalPages) WalCheckpoints =>
        (checkpointer.BackgroundCheckpoints, checkpointer.WriterCheckpoints, checkpointer.WalPages);

    /// <summary>
    /// WAL size kept when it starts over (<c>journal_size_limit</c>): 17 MiB, room for the
    /// writer's own checkpoint threshold (16 MiB of pages, each frame with a 24-byte header, and a
    /// batch), so the file is not cut and grown again at every start-over.
    /// </summary>
    public const long WalSizeLimitBytes = 17 * 1024 * 1024;

    /// <summary>
    /// The page size of a new store (an existing one keeps its own; SQLite cannot change it in WAL
    /// mode). A commit writes every page it changed into the WAL whole, and a message changes ~17
    /// (a row and its index entries in messages, runs and replies): 70 KiB of WAL per message at
    /// SQLite's default 4 KiB, ~20 KiB at 1 KiB, and the commit's time follows the bytes
    /// (bench/RESULTS.md). Also a quarter of the wear on an SD card. The rows are small; a long
    /// reply's text goes on overflow pages at any size.
    /// </summary>
    public const int NewStorePageSize = 1024;

    /// <summary>Opens (creating if needed, 0600) and migrates the store.</summary>
    /// <remarks>Order: open through SQLite (a new file is made 0600 by path, before its WAL exists), read the header and the schema, set the pragmas, checkpoint and truncate the WAL, migrate.</remarks>
    /// <exception cref="StoreException">The file is corrupt, locked by another process, or unreadable.</exception>
    /// <param name="maxBatch">The most writes one group commit holds (tests make it small to split batches).</param>
    /// <param name="commitPause">A slow disk, for the tests (<see cref="StoreWriter.CommitPause"/>).</param>
    public static GatewayStore Open(string path, TimeProvider time, StoreDurability durability = StoreDurability.Durable,
        int maxBatch = StoreWriter.DefaultMaxBatch, TimeSpan commitPause = default)
    {
        var created = !File.Exists(path);
        var connection = ConnectionTo(path, SqliteOpenMode.ReadWriteCreate);
        try
        {
            connection.Open();
            if (created && !OperatingSystem.IsWindows())
            {
                // chmod by path: opening the file ourselves (a FileStream) and closing it would drop SQLite's POSIX locks.
                // The WAL and shared-memory files SQLite creates next take this file's mode.
                File.SetUnixFileMode(path, AtomicFile.PrivateFileMode);
            }
            Execute(connection, "PRAGMA busy_timeout = 2000;");
            PlanOnceForAnyParameters(connection);
            // The header (page 1) and the schema: a file that is not a database fails with NOTADB here, a damaged schema with CORRUPT.
            Scalar(connection, "SELECT COUNT(*) FROM sqlite_schema;");
            // temp_store: every group-committed write runs under a savepoint, whose sub-journal (the
            // pages it touched, as they were) was a temporary file: two pwrites per page per write,
            // ~40 syscalls per message (strace). In memory it costs a few pages for one batch.
            // page_size: a new file only (an existing store keeps its own).
            Execute(connection, $"""
                PRAGMA page_size = {NewStorePageSize};
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = {(durability == StoreDurability.Fast ? "NORMAL" : "FULL")};
                PRAGMA journal_size_limit = {WalSizeLimitBytes};
                PRAGMA foreign_keys = ON;
                PRAGMA temp_store = MEMORY;
                """);
            // Bounded work: the WAL a previous process left is at most about journal_size_limit plus its last transactions.
            Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
            Migrate(connection);
            return new GatewayStore(connection, OpenReader(path), path, time, durability == StoreDurability.Durable, maxBatch, commitPause);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw e.SqliteErrorCode switch
            {
                5 or 6 => new StoreException($"the store {path} is locked by another process; stop the other gateway using this state directory", e),
                11 or 26 => new StoreException($"the store {path} is corrupt or not a database ({e.Message}); move it aside to start with an empty store, or restore a backup", e),
                _ => new StoreException($"cannot open the store {path}: {e.Message}", e),
            };
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        // First, outside the lock: the writer commits what is queued, and needs the lock to do it.
        writer.Dispose();
        // Before the writer's connection closes: its hook points at the checkpointer.
        checkpointer.Dispose();
        lock (readGate)
        {
            DisposeAll(preparedReads);
            readConnection.Dispose();
        }
        lock (gate)
        {
            DisposeAll(prepared);
            connection.Dispose();
        }
    }

    /// <summary>
    /// SQLite's query planner stability guarantee (<c>SQLITE_DBCONFIG_ENABLE_QPSG</c>): a cached
    /// statement keeps its plan whatever values are bound. Without it, a statement whose
    /// parameters the planner had compared with a partial index's WHERE was prepared again at
    /// every run: the outbox's reads, ~10% of the gateway's CPU under HTTP load (perf). The
    /// queries spell the partial indexes' conditions as constants, so no plan needs the values.
    /// </summary>
    private static void PlanOnceForAnyParameters(SqliteConnection connection) =>
        SQLitePCL.raw.sqlite3_db_config(connection.Handle, SQLitePCL.raw.SQLITE_DBCONFIG_ENABLE_QPSG, 1, out _);

    /// <summary>The second connection, for the hot reads: query-only, so that a bug cannot make it write beside the writer.</summary>
    private static SqliteConnection OpenReader(string path)
    {
        var reader = ConnectionTo(path, SqliteOpenMode.ReadWrite);
        try
        {
            reader.Open();
            Execute(reader, "PRAGMA busy_timeout = 2000; PRAGMA query_only = 1;");
            PlanOnceForAnyParameters(reader);
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>A connection (not opened) to the store: unpooled, so that closing it closes the file.</summary>
    internal static SqliteConnection ConnectionTo(string path, SqliteOpenMode mode) => new(new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = mode,
        Pooling = false,
        DefaultTimeout = 5,
    }.ToString());

    private static void DisposeAll(Dictionary<string, SqliteCommand> commands)
    {
        foreach (var command in commands.Values)
        {
            command.Dispose();
        }
        commands.Clear();
    }

    /// <summary>The value of a pragma of the store's connection (<c>synchronous</c>, <c>journal_size_limit</c>…): what is in effect, for status and tests.</summary>
    public long Pragma(string name)
    {
        if (!name.All(c => char.IsAsciiLetterLower(c) || c == '_'))
        {
            throw new ArgumentException($"not a pragma name: {name}", nameof(name));
        }
        lock (gate)
        {
            return Convert.ToInt64(Scalar(connection, $"PRAGMA {name};"), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// A fresh id with a readable prefix: <c>msg_…</c>, <c>run_…</c>, <c>task_…</c>; the
    /// milliseconds since the epoch (12 hex digits), then 8 random bytes. Time first, so that new
    /// rows land at the end of the id indexes: a batch of random ids dirtied a page of each index
    /// per row, and every dirty page is a WAL write.
    /// </summary>
    public static string NewId(string prefix) =>
        $"{prefix}_{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds():x12}{SecureRandom.Hex(8)}";

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static void Migrate(SqliteConnection connection)
    {
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
        if (version > StoreSchema.Migrations.Length)
        {
            throw new StoreException($"the store was written by a newer ClawSharp (schema {version}, this build knows {StoreSchema.Migrations.Length}); upgrade ClawSharp");
        }
        for (var next = version; next < StoreSchema.Migrations.Length; next++)
        {
            using var transaction = connection.BeginTransaction();
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = StoreSchema.Migrations[next] + $"\nPRAGMA user_version = {next + 1};";
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private readonly Dictionary<string, SqliteCommand> prepared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SqliteCommand> preparedReads = new(StringComparer.Ordinal);

    /// <summary>
    /// A command for <paramref name="sql"/>, prepared once and reused: SQLite's statement
    /// preparation costs more than the statement itself on the hot path. Callers hold the
    /// gate; the returned command must not be disposed (<see cref="Dispose"/> does that).
    /// </summary>
    private PreparedCommand Command(string sql, SqliteTransaction? transaction = null) => Prepare(prepared, connection, sql, transaction);

    /// <summary>A cached command of the query-only connection: callers hold <see cref="readGate"/>; it sees the last commit.</summary>
    private PreparedCommand ReadCommand(string sql) => Prepare(preparedReads, readConnection, sql, null);

    private static PreparedCommand Prepare(Dictionary<string, SqliteCommand> cache, SqliteConnection owner, string sql, SqliteTransaction? transaction)
    {
        if (!cache.TryGetValue(sql, out var command))
        {
            command = owner.CreateCommand();
            command.CommandText = sql;
            cache[sql] = command;
        }
        command.Transaction = transaction;
        return new PreparedCommand(command);
    }

    /// <summary>A cached command; disposing it (the callers' <c>using</c>) keeps it for the next call.</summary>
    private readonly struct PreparedCommand(SqliteCommand command) : IDisposable
    {
        public PreparedParameters Parameters => new(command.Parameters);

        public int ExecuteNonQuery() => command.ExecuteNonQuery();

        public object? ExecuteScalar() => command.ExecuteScalar();

        public SqliteDataReader ExecuteReader() => command.ExecuteReader();

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// A cached command's parameters, kept from call to call: only their values change. A new
    /// <see cref="SqliteParameter"/> per value was a large part of the garbage a message made on
    /// the committer's thread. Every statement binds all of its parameters on every call.
    /// </summary>
    private readonly struct PreparedParameters(SqliteParameterCollection parameters)
    {
        public void AddWithValue(string name, object value)
        {
            var index = parameters.IndexOf(name);
            if (index >= 0)
            {
                parameters[index].Value = value;
            }
            else
            {
                parameters.AddWithValue(name, value);
            }
        }
    }

    private static object Db(object? value) => value ?? DBNull.Value;

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static long? NullableLong(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}

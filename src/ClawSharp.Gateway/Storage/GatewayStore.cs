using System.Security.Cryptography;
using ClawSharp.Gateway.Infrastructure;
using Microsoft.Data.Sqlite;

namespace ClawSharp.Gateway.Storage;

/// <summary>
/// The durable store, <c>state.db</c> (SQLite, WAL): sessions, messages, runs, the reply
/// outbox and the task registry. One connection guarded by one lock. The hot writes (accept,
/// run start and end, deliveries) go through the <see cref="StoreWriter"/>, which commits all
/// that is waiting in one transaction (group commit); reads and the rare writes are short
/// local transactions under the same lock. A corrupt or locked database stops the start with a message naming the
/// file; it is never reset silently.
/// </summary>
/// <remarks>
/// synchronous=NORMAL in WAL mode: a committed transaction survives a crash of the process
/// (kill -9), which is what "accepted" promises; a power cut may lose the last commits.
/// </remarks>
internal sealed partial class GatewayStore : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly StoreWriter writer;

    private GatewayStore(SqliteConnection connection, string path, TimeProvider time, int maxBatch, TimeSpan commitPause)
    {
        this.connection = connection;
        this.time = time;
        Path = path;
        writer = new StoreWriter(connection, gate, maxBatch, Metrics.GatewayMetrics.StoreBatchCommitted) { CommitPause = commitPause };
    }

    public string Path { get; }

    /// <summary>Opens (creating if needed, 0600) and migrates the store.</summary>
    /// <exception cref="StoreException">The file is corrupt, locked by another process, or unreadable.</exception>
    /// <param name="maxBatch">The most writes one group commit holds (tests make it small to split batches).</param>
    /// <param name="commitPause">A slow disk, for the tests (<see cref="StoreWriter.CommitPause"/>).</param>
    public static GatewayStore Open(string path, TimeProvider time, int maxBatch = StoreWriter.DefaultMaxBatch, TimeSpan commitPause = default)
    {
        if (!OperatingSystem.IsWindows() && !File.Exists(path))
        {
            using (new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = AtomicFile.PrivateFileMode }))
            {
            }
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 5,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 2000;");
            var check = Scalar(connection, "PRAGMA quick_check;");
            if (check is not "ok")
            {
                throw new StoreException($"the store {path} is corrupt ({check}); move it aside to start with an empty store, or restore a backup");
            }
            Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
            Migrate(connection);
            return new GatewayStore(connection, path, time, maxBatch, commitPause);
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
        lock (gate)
        {
            foreach (var command in prepared.Values)
            {
                command.Dispose();
            }
            prepared.Clear();
            connection.Dispose();
        }
    }

    /// <summary>A fresh id with a readable prefix: <c>msg_…</c>, <c>run_…</c>, <c>task_…</c>.</summary>
    public static string NewId(string prefix) => $"{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10))}";

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

    /// <summary>
    /// A command for <paramref name="sql"/>, prepared once and reused: SQLite's statement
    /// preparation costs more than the statement itself on the hot path. Callers hold the
    /// gate; the returned command must not be disposed (<see cref="Dispose"/> does that).
    /// </summary>
    private PreparedCommand Command(string sql, SqliteTransaction? transaction = null)
    {
        if (!prepared.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            prepared[sql] = command;
        }
        command.Parameters.Clear();
        command.Transaction = transaction;
        return new PreparedCommand(command);
    }

    /// <summary>A cached command; disposing it (the callers' <c>using</c>) keeps it for the next call.</summary>
    private readonly struct PreparedCommand(SqliteCommand command) : IDisposable
    {
        public SqliteParameterCollection Parameters => command.Parameters;

        public int ExecuteNonQuery() => command.ExecuteNonQuery();

        public object? ExecuteScalar() => command.ExecuteScalar();

        public SqliteDataReader ExecuteReader() => command.ExecuteReader();

        public void Dispose()
        {
        }
    }

    private static object Db(object? value) => value ?? DBNull.Value;

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static long? NullableLong(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}

using Microsoft.Data.Sqlite;

namespace ClawSharp.Gateway.Storage;

/// <summary>
/// Whether the next start can open the store: a read-only look at its schema version, without
/// migrating or locking anything, so that a restart is refused before it drains rather than
/// after it stopped a gateway that cannot come back.
/// </summary>
internal static class StoreOpenCheck
{
    /// <summary>
    /// Read-only and not pooled: closing the connection closes state.db (a pooled one kept it, its WAL
    /// and shm open in the gateway, and the preflight an operator polls asks this every 200 ms).
    /// </summary>
    private static string ReadOnly(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();

    /// <summary>Null when the store can be opened (or does not exist yet: the start creates it); else why not.</summary>
    public static string? Problem(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var connection = new SqliteConnection(ReadOnly(path));
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version;";
            var version = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            return version > StoreSchema.Migrations.Length
                ? $"the store {path} was written by a newer ClawSharp (schema {version}, this build knows {StoreSchema.Migrations.Length}); upgrade ClawSharp"
                : null;
        }
        catch (SqliteException e)
        {
            return $"cannot open the store {path}: {e.Message}";
        }
    }

    /// <summary>
    /// Null when SQLite's <c>quick_check</c> finds the store intact; else what it found. Read-only,
    /// but it reads every page: for <c>doctor --deep</c>, never for a start.
    /// </summary>
    public static string? IntegrityProblem(string path)
    {
        try
        {
            using var connection = new SqliteConnection(ReadOnly(path));
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check(20);";
            command.CommandTimeout = 0;
            using var reader = command.ExecuteReader();
            var findings = new List<string>();
            while (reader.Read())
            {
                findings.Add(reader.GetString(0));
            }
            return findings is ["ok"] ? null : $"the store {path} is corrupt: {string.Join("; ", findings)}";
        }
        catch (SqliteException e)
        {
            return $"the store {path} is corrupt or unreadable: {e.Message}";
        }
    }
}

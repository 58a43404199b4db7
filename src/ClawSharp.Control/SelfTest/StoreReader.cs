using Microsoft.Data.Sqlite;

namespace ClawSharp.Control.SelfTest;

/// <summary>
/// What the scratch gateway's <c>state.db</c> holds for the self-test's messages, read through
/// SQLite in read-only mode (a reader beside the gateway's writer, as WAL allows): which message
/// each idempotency key became, and which messages have a reply and in what state.
/// </summary>
internal static class StoreReader
{
    public static StoreView Read(string path)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        using var db = new SqliteConnection(connection);
        db.Open();
        var messages = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var command = db.CreateCommand())
        {
            command.CommandText = "SELECT idempotency_key, id FROM messages WHERE idempotency_key LIKE 'selftest-%'";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                messages[reader.GetString(0)] = reader.GetString(1);
            }
        }
        var replies = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var command = db.CreateCommand())
        {
            command.CommandText = "SELECT message_id, state FROM replies";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                replies[reader.GetString(0)] = reader.GetString(1);
            }
        }
        return new StoreView(messages, replies);
    }
}

/// <summary>The store's side of the audit.</summary>
/// <param name="MessageIdByKey">Idempotency key → the message id it was committed as.</param>
/// <param name="ReplyStateByMessage">Message id → the state of its reply (<c>final</c>, <c>error</c>, <c>aborted</c>), for messages whose run ended.</param>
internal sealed record StoreView(IReadOnlyDictionary<string, string> MessageIdByKey, IReadOnlyDictionary<string, string> ReplyStateByMessage);

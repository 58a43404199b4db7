using ClawSharp.Gateway.Storage;
using ClawSharp.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// Start-up and every status call must not depend on the store's size: each statement they run
/// (copied here from <c>Storage/GatewayStore.*.cs</c>; keep in step) goes through an index, or
/// scans only a partial index of what is in flight. A plan that scans a whole table fails.
/// </summary>
public sealed class StoreQueryPlanTests : IDisposable
{
    private readonly TempHome home = new();

    public void Dispose() => home.Dispose();

    public static TheoryData<string, string> StartAndStatusStatements => new()
    {
        // Recovery at start (RecoverRuns, RunIds, EndedRunsWithoutReply, SessionOfRun).
        { "recover: fail twice-interrupted runs", "UPDATE runs SET status = 'interrupted' WHERE status = 'running' AND attempts >= 2" },
        { "recover: requeue running runs", "UPDATE runs SET status = 'queued', started_at = NULL WHERE status = 'running'" },
        { "recover: ended runs without a reply", "SELECT id, status FROM runs r WHERE status IN ('interrupted', 'aborted') AND NOT EXISTS (SELECT 1 FROM replies p WHERE p.run_id = r.id)" },
        { "recover: queued runs", "SELECT id FROM runs WHERE status = $status ORDER BY seq" },
        { "recover: session of a run", "SELECT session_key FROM runs WHERE id = $id" },
        { "accept: next seq", "SELECT COALESCE(MAX(seq), 0) + 1 FROM runs" },
        { "accept: is the session idle", """
            SELECT s.agent FROM sessions s WHERE s.key = $session
                AND NOT EXISTS (SELECT 1 FROM runs WHERE session_key = $session AND status IN ('queued', 'running'))
            """ },
        { "abort: a session's runs in flight", "SELECT id FROM runs WHERE session_key = $session AND status IN ('queued', 'running') ORDER BY seq" },
        // RecoverTasks.
        { "recover: requeue restartable tasks", "UPDATE tasks SET status = 'queued', started_at = NULL WHERE status = 'running' AND restartable = 1" },
        { "recover: lose running tasks", "UPDATE tasks SET status = 'lost', ended_at = $now, error = 'the gateway stopped while the task was running' WHERE status = 'running'" },
        { "recover: queued tasks", "SELECT id FROM tasks WHERE status = 'queued' ORDER BY created_at" },
        // The outbox at start and on every wake.
        { "outbox: republish unattempted", "UPDATE replies SET published = 0 WHERE delivered = 0 AND failed_at IS NULL AND attempts = 0" },
        { "outbox: unpublished replies", "SELECT id, run_id, message_id, session_key, state, text, attempts, webhook_url, created_at FROM replies WHERE delivered = 0 AND failed_at IS NULL AND published = 0 ORDER BY id LIMIT $limit" },
        { "outbox: due destinations", """
            SELECT webhook_url FROM replies
            WHERE delivered = 0 AND failed_at IS NULL AND published = 1 AND webhook_url IS NOT NULL AND next_attempt_at <= $now
                AND ($first = 0 OR attempts = 0) AND webhook_url NOT IN (SELECT value FROM json_each($busy))
            GROUP BY webhook_url ORDER BY MIN(id) LIMIT $limit
            """ },
        { "outbox: next due", """
            SELECT MIN(next_attempt_at) FROM replies
            WHERE delivered = 0 AND failed_at IS NULL AND published = 1 AND webhook_url IS NOT NULL
                AND ($first = 0 OR attempts = 0) AND webhook_url NOT IN (SELECT value FROM json_each($busy))
            """ },
        // Status, metrics, the dashboard's sampler and the drain (WorkHost.Counters, IsIdle).
        { "status: pending replies", "SELECT COUNT(*) FROM replies WHERE delivered = 0 AND failed_at IS NULL" },
        { "status: failed replies", "SELECT COUNT(*) FROM replies WHERE failed_at IS NOT NULL" },
        { "drain: due first deliveries", """
            SELECT EXISTS (SELECT 1 FROM replies WHERE delivered = 0 AND failed_at IS NULL AND attempts = 0
                AND (published = 0 OR next_attempt_at <= $now))
            """ },
        // The hourly sweep (GatewayStore.Retention.cs).
        { "sweep: ended tasks", "SELECT id FROM tasks WHERE status NOT IN ('queued', 'running') AND ended_at < $before LIMIT $limit" },
        { "sweep: finished work", """
            SELECT m.id, r.id FROM messages m
                JOIN runs r ON r.message_id = m.id
                JOIN replies p ON p.run_id = r.id
            WHERE m.created_at < $before AND r.status NOT IN ('queued', 'running') AND (p.delivered = 1 OR p.failed_at IS NOT NULL)
            ORDER BY m.created_at LIMIT $limit
            """ },
    };

    [Theory]
    [MemberData(nameof(StartAndStatusStatements))]
    public void StartAndStatusStatements_NeverScanAWholeTable(string what, string sql)
    {
        using (GatewayStore.Open(home.State.StoreFile, new FakeTimeProvider()))
        {
        }
        using var connection = new SqliteConnection($"Data Source={home.State.StoreFile};Mode=ReadOnly");
        connection.Open();
        var partialIndexes = PartialIndexes(connection);

        var plan = Plan(connection, sql);

        var scans = plan.Where(step => IsWholeTableScan(step, partialIndexes)).ToList();
        Assert.True(scans.Count == 0, $"{what}: the plan scans a whole table ({string.Join("; ", scans)})\nplan: {string.Join("; ", plan)}");
    }

    /// <summary>"SCAN runs" or "SCAN replies USING INDEX x" over a full index; a scan of a partial index (what is in flight) is fine.</summary>
    private static bool IsWholeTableScan(string step, HashSet<string> partialIndexes)
    {
        if (!step.StartsWith("SCAN ", StringComparison.Ordinal) || step.Contains("json_each", StringComparison.Ordinal) || step.StartsWith("SCAN CONSTANT", StringComparison.Ordinal))
        {
            return false;
        }
        var index = step.Split(' ').SkipWhile(word => word != "INDEX").Skip(1).FirstOrDefault();
        return index is null || !partialIndexes.Contains(index);
    }

    private static HashSet<string> PartialIndexes(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql LIKE '% WHERE %'";
        using var reader = command.ExecuteReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    private static List<string> Plan(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in new[] { "$status", "$id", "$now", "$limit", "$first", "$busy", "$before", "$session" })
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue(name, name switch { "$busy" => "[]", "$status" or "$id" or "$session" => "x", _ => 1 });
            }
        }
        using var reader = command.ExecuteReader();
        var steps = new List<string>();
        while (reader.Read())
        {
            steps.Add(reader.GetString(3));
        }
        return steps;
    }
}

namespace ClawSharp.Gateway.Storage;

internal sealed partial class GatewayStore
{
    private const string TaskColumns =
        "id, run_id, runtime, label, title, command, session_key, status, restartable, timeout_ms, exit_code, output, error, created_at, started_at, ended_at, output_truncated";

    public TaskRecord CreateTask(string runtime, string command, string? label, string? title, string? sessionKey, bool restartable, long? timeoutMs)
    {
        var task = new TaskRecord(NewId("task"), NewId("run"), runtime, label, title, command, sessionKey, TaskState.Queued, restartable,
            timeoutMs, null, null, null, Now, null, null, false);
        lock (gate)
        {
            using var insert = Command(
                $"""
                INSERT INTO tasks ({TaskColumns})
                VALUES ($id, $run, $runtime, $label, $title, $command, $session, 'queued', $restartable, $timeout, NULL, NULL, NULL, $now, NULL, NULL, 0)
                """);
            insert.Parameters.AddWithValue("$id", task.TaskId);
            insert.Parameters.AddWithValue("$run", task.RunId);
            insert.Parameters.AddWithValue("$runtime", runtime);
            insert.Parameters.AddWithValue("$label", Db(label));
            insert.Parameters.AddWithValue("$title", Db(title));
            insert.Parameters.AddWithValue("$command", command);
            insert.Parameters.AddWithValue("$session", Db(sessionKey));
            insert.Parameters.AddWithValue("$restartable", restartable ? 1 : 0);
            insert.Parameters.AddWithValue("$timeout", Db(timeoutMs));
            insert.Parameters.AddWithValue("$now", task.CreatedAt);
            insert.ExecuteNonQuery();
        }
        return task;
    }

    public TaskRecord? GetTask(string taskId)
    {
        lock (gate)
        {
            using var command = Command($"SELECT {TaskColumns} FROM tasks WHERE id = $id");
            command.Parameters.AddWithValue("$id", taskId);
            return ReadTasks(command).FirstOrDefault();
        }
    }

    /// <summary>Tasks newest first; <paramref name="cursor"/> is the last task id of the previous page.</summary>
    public IReadOnlyList<TaskRecord> ListTasks(TaskState? status, string? sessionKey, int limit, string? cursor)
    {
        lock (gate)
        {
            using var command = Command(
                $"""
                SELECT {TaskColumns} FROM tasks
                WHERE ($status IS NULL OR status = $status) AND ($session IS NULL OR session_key = $session)
                  AND ($cursor IS NULL OR (created_at, id) < (SELECT created_at, id FROM tasks WHERE id = $cursor))
                ORDER BY created_at DESC, id DESC LIMIT $limit
                """);
            command.Parameters.AddWithValue("$status", Db(status is { } s ? StatusNames.Of(s) : null));
            command.Parameters.AddWithValue("$session", Db(sessionKey));
            command.Parameters.AddWithValue("$cursor", Db(cursor));
            command.Parameters.AddWithValue("$limit", limit);
            return ReadTasks(command);
        }
    }

    /// <summary>Moves a task from one status to another; false when it was not in <paramref name="from"/>.</summary>
    public bool TransitionTask(string taskId, TaskState from, TaskState to, int? exitCode = null, string? output = null, string? error = null,
        bool outputTruncated = false)
    {
        lock (gate)
        {
            using var command = Command(
                """
                UPDATE tasks SET status = $to,
                    started_at = CASE WHEN $to = 'running' THEN $now ELSE started_at END,
                    ended_at = CASE WHEN $to IN ('queued', 'running') THEN NULL ELSE $now END,
                    exit_code = COALESCE($exit, exit_code), output = COALESCE($output, output), error = COALESCE($error, error),
                    output_truncated = MAX(output_truncated, $truncated)
                WHERE id = $id AND status = $from
                """);
            command.Parameters.AddWithValue("$to", StatusNames.Of(to));
            command.Parameters.AddWithValue("$from", StatusNames.Of(from));
            command.Parameters.AddWithValue("$now", Now);
            command.Parameters.AddWithValue("$exit", Db(exitCode));
            command.Parameters.AddWithValue("$output", Db(output));
            command.Parameters.AddWithValue("$error", Db(error));
            command.Parameters.AddWithValue("$truncated", outputTruncated ? 1 : 0);
            command.Parameters.AddWithValue("$id", taskId);
            return command.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>At start: running tasks of a dead process become lost, or queued again when restartable. Returns the queued ids.</summary>
    public (IReadOnlyList<string> Queued, int Lost, int Requeued) RecoverTasks()
    {
        lock (gate)
        {
            using var transaction = connection.BeginTransaction();
            int requeued, lost;
            using (var requeue = Command("UPDATE tasks SET status = 'queued', started_at = NULL WHERE status = 'running' AND restartable = 1", transaction))
            {
                requeued = requeue.ExecuteNonQuery();
            }
            using (var lose = Command("UPDATE tasks SET status = 'lost', ended_at = $now, error = 'the gateway stopped while the task was running' WHERE status = 'running'", transaction))
            {
                lose.Parameters.AddWithValue("$now", Now);
                lost = lose.ExecuteNonQuery();
            }
            transaction.Commit();
            using var queued = Command("SELECT id FROM tasks WHERE status = 'queued' ORDER BY created_at");
            return (ReadStrings(queued), lost, requeued);
        }
    }

    private static List<TaskRecord> ReadTasks(PreparedCommand command)
    {
        using var reader = command.ExecuteReader();
        var tasks = new List<TaskRecord>();
        while (reader.Read())
        {
            tasks.Add(new TaskRecord(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3), NullableString(reader, 4),
                reader.GetString(5), NullableString(reader, 6), StatusNames.ParseTask(reader.GetString(7)), reader.GetInt64(8) == 1,
                NullableLong(reader, 9), reader.IsDBNull(10) ? null : reader.GetInt32(10), NullableString(reader, 11),
                NullableString(reader, 12), reader.GetInt64(13), NullableLong(reader, 14), NullableLong(reader, 15), reader.GetInt64(16) == 1));
        }
        return tasks;
    }
}

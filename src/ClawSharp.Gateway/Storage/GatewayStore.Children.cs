namespace ClawSharp.Gateway.Storage;

/// <summary>A child command's session as recorded while it runs: <paramref name="Pid"/> leads it, started at <paramref name="StartTime"/> (/proc ticks).</summary>
internal sealed record ExecChildRecord(long Id, string Kind, string OwnerId, int Pid, long StartTime, int GatewayPid);

internal sealed partial class GatewayStore
{
    /// <summary>Records a started child; returns the row to forget once it has ended.</summary>
    public long RecordChild(string kind, string ownerId, int pid, long startTime, int gatewayPid)
    {
        lock (gate)
        {
            using var insert = Command(
                """
                INSERT INTO exec_children (kind, owner_id, pid, start_time, gateway_pid, created_at)
                VALUES ($kind, $owner, $pid, $start, $gateway, $now) RETURNING id
                """);
            insert.Parameters.AddWithValue("$kind", kind);
            insert.Parameters.AddWithValue("$owner", ownerId);
            insert.Parameters.AddWithValue("$pid", pid);
            insert.Parameters.AddWithValue("$start", startTime);
            insert.Parameters.AddWithValue("$gateway", gatewayPid);
            insert.Parameters.AddWithValue("$now", Now);
            return Convert.ToInt64(insert.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public void ForgetChild(long id)
    {
        lock (gate)
        {
            using var delete = Command("DELETE FROM exec_children WHERE id = $id");
            delete.Parameters.AddWithValue("$id", id);
            delete.ExecuteNonQuery();
        }
    }

    public IReadOnlyList<ExecChildRecord> ListChildren()
    {
        lock (gate)
        {
            using var command = Command("SELECT id, kind, owner_id, pid, start_time, gateway_pid FROM exec_children ORDER BY id");
            using var reader = command.ExecuteReader();
            var children = new List<ExecChildRecord>();
            while (reader.Read())
            {
                children.Add(new ExecChildRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt64(4),
                    reader.GetInt32(5)));
            }
            return children;
        }
    }
}

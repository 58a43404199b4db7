using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Respawn;

/// <summary>What <c>restarting.json</c> records: the process that is restarting.</summary>
/// <param name="Pid">Its PID.</param>
/// <param name="StartTime">Its start stamp (<see cref="ProcessIdentity.StartTime"/>).</param>
/// <param name="At">When the restart closed the server.</param>
/// <param name="Problem">Set when the restart failed to start a server: the process lives on, serving nothing, until an operator acts.</param>
internal sealed record RestartingProcess(int Pid, long StartTime, DateTimeOffset At, string? Problem = null);

/// <summary>
/// <c>restarting.json</c>: written before a restart closes the server and releases the lock,
/// deleted once the restart is over (whatever its outcome). Between the two, no process may own
/// the lock (or a fresh copy not yet ready does), yet a gateway exists: this record lets
/// <c>status</c> say "restarting" and <c>stop</c> signal the process that will otherwise come
/// back, instead of both answering "not running".
/// </summary>
internal static class RestartInProgress
{
    public static void Begin(StateDirectory state, TimeProvider time) => Write(state, time, null);

    /// <summary>The restart could not start a server: the record stays, saying why, so that status and stop still find this process.</summary>
    public static void Failed(StateDirectory state, TimeProvider time, string problem) => Write(state, time, problem);

    private static void Write(StateDirectory state, TimeProvider time, string? problem)
    {
        var me = ProcessIdentity.Current;
        try
        {
            AtomicFile.WriteAllBytes(state.RestartingFile, JsonSerializer.SerializeToUtf8Bytes(
                new RestartingProcess(me.Pid, me.StartTime, time.GetUtcNow(), problem), RespawnJsonContext.Default.RestartingProcess));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only status and stop lose precision during the restart; the restart itself goes on.
        }
    }

    public static void End(StateDirectory state)
    {
        try
        {
            File.Delete(state.RestartingFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The restarting process, when the record names one that is still that process.</summary>
    public static RestartingProcess? Read(StateDirectory state)
    {
        try
        {
            var record = JsonSerializer.Deserialize(File.ReadAllBytes(state.RestartingFile), RespawnJsonContext.Default.RestartingProcess);
            return record is not null && ProcessIdentity.Check(record.Pid, record.StartTime) == ProcessMatch.Same ? record : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}

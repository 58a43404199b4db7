using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Respawn;

/// <summary>What <c>restarting.json</c> records: the process that is restarting.</summary>
/// <param name="Pid">Its PID.</param>
/// <param name="StartTime">Its start stamp (<see cref="ProcessIdentity.StartTime"/>).</param>
/// <param name="At">When the restart closed the server.</param>
/// <param name="Problem">Set when the restart failed to start a server: the process lives on, serving nothing, until an operator acts.</param>
/// <param name="Reason">The restart's reason: a supervisor that starts the next process after this one's exit 75 hands it down, for its metrics.</param>
internal sealed record RestartingProcess(int Pid, long StartTime, DateTimeOffset At, string? Problem = null, string? Reason = null);

/// <summary>
/// <c>restarting.json</c>: written before a restart closes the server and releases the lock,
/// deleted once the restart is over (whatever its outcome; after an exit 75, by the supervisor,
/// which hands its reason to the next gateway). Between the two, no process may own
/// the lock (or a fresh copy not yet ready does), yet a gateway exists: this record lets
/// <c>status</c> say "restarting" and <c>stop</c> signal the process that will otherwise come
/// back, instead of both answering "not running".
/// </summary>
internal static class RestartInProgress
{
    public static void Begin(StateDirectory state, TimeProvider time, string? reason = null) => Write(state, time, null, reason);

    /// <summary>The restart could not start a server: the record stays, saying why, so that status and stop still find this process.</summary>
    public static void Failed(StateDirectory state, TimeProvider time, string problem) => Write(state, time, problem, null);

    private static void Write(StateDirectory state, TimeProvider time, string? problem, string? reason)
    {
        var me = ProcessIdentity.Current;
        try
        {
            AtomicFile.WriteAllBytes(state.RestartingFile, JsonSerializer.SerializeToUtf8Bytes(
                new RestartingProcess(me.Pid, me.StartTime, time.GetUtcNow(), problem, reason), RespawnJsonContext.Default.RestartingProcess));
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

    /// <summary>
    /// For the supervisor, once its gateway <paramref name="pid"/> (start stamp <paramref name="startTime"/>) has
    /// exited: the record it left (a restart handed to the supervisor, exit 75, leaves it) is deleted, and its
    /// reason returned for the next gateway; null when the record is another process's, or has no reason.
    /// </summary>
    public static string? TakeAfterExit(StateDirectory state, int pid, long? startTime)
    {
        RestartingProcess? record;
        try
        {
            record = JsonSerializer.Deserialize(File.ReadAllBytes(state.RestartingFile), RespawnJsonContext.Default.RestartingProcess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
        if (record is null || record.Pid != pid || record.StartTime != startTime)
        {
            return null;
        }
        End(state);
        return record.Reason;
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

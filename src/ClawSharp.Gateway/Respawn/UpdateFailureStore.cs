using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Respawn;

/// <summary>An update restart whose new process never became ready (<c>update-failed.json</c>).</summary>
/// <param name="At">When the gateway gave up on the new process.</param>
/// <param name="Reason">What went wrong: <c>spawn-failed</c>, <c>child-exited</c> or <c>child-not-ready</c> (<see cref="RespawnFailure"/>).</param>
/// <param name="ChildPid">The new process, killed since; null when it never started.</param>
/// <param name="Detail">A sentence for the operator.</param>
/// <param name="FromVersion">The version the update started from (written by <c>clawsharp update</c>).</param>
/// <param name="ToVersion">The version it tried to go to.</param>
/// <param name="Binary">The installed binary, back on <paramref name="FromVersion"/> since.</param>
internal sealed record UpdateFailure(DateTimeOffset At, string Reason, int? ChildPid, string Detail, string? FromVersion = null, string? ToVersion = null,
    string? Binary = null);

/// <summary>
/// Owns <see cref="StateDirectory.UpdateFailedFile"/>: written (0600, atomically) when an update
/// restart falls back in process, deleted by the next successful update restart, read by the CLI.
/// </summary>
internal static class UpdateFailureStore
{
    public static void Write(StateDirectory state, UpdateFailure failure) =>
        AtomicFile.WriteAllBytes(state.UpdateFailedFile, JsonSerializer.SerializeToUtf8Bytes(failure, RespawnJsonContext.Default.UpdateFailure));

    /// <summary>The recorded failure; null when there is none or it is unreadable.</summary>
    public static UpdateFailure? Read(StateDirectory state)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(state.UpdateFailedFile), RespawnJsonContext.Default.UpdateFailure);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    public static void Clear(StateDirectory state) => File.Delete(state.UpdateFailedFile);
}

using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Daemon;

/// <summary>A <c>gateway start</c> refused before any process started.</summary>
/// <param name="At">When it was refused.</param>
/// <param name="Summary">"config invalid at KEY (FILE)": the status headline.</param>
/// <param name="Message">The whole error, as <c>start</c> printed it.</param>
/// <param name="Key">The config key at fault, when one is.</param>
/// <param name="File">The file at fault, when one is.</param>
/// <param name="ExitCode">What <c>start</c> exited with (78 for a bad config).</param>
internal sealed record StartFailure(DateTimeOffset At, string Summary, string Message, string? Key, string? File, int ExitCode);

/// <summary>
/// Owns <c>start-failed.json</c>: written (atomically, 0600) by <c>gateway start</c> when it refuses
/// to launch (a bad config), deleted by the next supervisor that starts, so that <c>status</c> can
/// say "failed: config invalid at KEY (FILE)" instead of a bare "stopped". An unreadable file is ignored.
/// </summary>
internal static class StartFailureStore
{
    public static void Write(StateDirectory state, StartFailure failure) =>
        AtomicFile.WriteAllBytes(state.StartFailedFile, JsonSerializer.SerializeToUtf8Bytes(failure, DaemonJsonContext.Default.StartFailure));

    public static StartFailure? Read(StateDirectory state)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(state.StartFailedFile), DaemonJsonContext.Default.StartFailure);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    public static void Clear(StateDirectory state)
    {
        try
        {
            File.Delete(state.StartFailedFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // status compares times: a newer daemon.json outranks it anyway.
        }
    }
}

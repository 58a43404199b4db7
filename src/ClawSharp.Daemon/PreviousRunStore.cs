using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Logging;

namespace ClawSharp.Daemon;

/// <summary><c>logs/previous-run.json</c>: the run before the current one and its last log lines (raw JSON lines).</summary>
/// <param name="GatewayPid">The previous gateway's PID, when known.</param>
/// <param name="StartedAt">When it started, when known (lines before it belong to older runs and are left out).</param>
/// <param name="End">How it ended: "signal 9 (SIGKILL)", "exit 75 (restart requested)", or an unclean end of its supervisor.</param>
/// <param name="CapturedAt">When the next run started and this was captured.</param>
/// <param name="Lines">Its last log lines, as written (JSON).</param>
internal sealed record PreviousRun(int? GatewayPid, DateTimeOffset? StartedAt, string End, DateTimeOffset CapturedAt, IReadOnlyList<string> Lines);

/// <summary>
/// Owns <c>logs/previous-run.json</c>: written by the supervisor just before it starts a gateway
/// (atomically, 0600), read by <c>gateway logs --previous</c>. The gateway log is one stream for
/// every run; this keeps the end of the last one apart, as <c>journalctl -b -1</c> does for boots.
/// </summary>
internal static class PreviousRunStore
{
    /// <summary>How many of the previous run's last lines are kept.</summary>
    public const int KeptLines = 200;

    /// <summary>Captures the log's last lines written since <paramref name="startedAt"/> (all of the tail when unknown).</summary>
    public static void Capture(StateDirectory state, int? gatewayPid, DateTimeOffset? startedAt, string end, DateTimeOffset now)
    {
        var lines = GatewayLogFiles.Tail(state, KeptLines, raw: true)
            .Where(line => startedAt is not { } since || !(TimeOf(line) is { } at && at < since))
            .ToList();
        Directory.CreateDirectory(state.LogsDirectory);
        AtomicFile.WriteAllBytes(state.PreviousRunFile,
            JsonSerializer.SerializeToUtf8Bytes(new PreviousRun(gatewayPid, startedAt, end, now, lines), DaemonJsonContext.Default.PreviousRun));
    }

    /// <summary>The previous run, or null with <paramref name="problem"/> saying why (none recorded, unreadable).</summary>
    public static PreviousRun? Read(StateDirectory state, out string? problem)
    {
        problem = null;
        try
        {
            var run = JsonSerializer.Deserialize(File.ReadAllBytes(state.PreviousRunFile), DaemonJsonContext.Default.PreviousRun);
            problem = run is null ? $"{state.PreviousRunFile} is empty" : null;
            return run;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            problem = $"no previous run is recorded in {state.PreviousRunFile} (the built-in supervisor records one when it starts a gateway after another)";
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            problem = $"cannot read {state.PreviousRunFile}: {e.Message}";
            return null;
        }
    }

    private static DateTimeOffset? TimeOf(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.TryGetProperty("@t", out var t) && t.TryGetDateTimeOffset(out var at) ? at : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

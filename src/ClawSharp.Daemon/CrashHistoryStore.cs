using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Daemon;

/// <summary><c>crash-history.json</c>: the gateway's crash times within the window, oldest first (at most <see cref="CrashPolicy.KeptCrashes"/>).</summary>
internal sealed record CrashHistory
{
    public const int CurrentSchema = 1;

    public int Schema { get; init; } = CurrentSchema;
    public IReadOnlyList<DateTimeOffset> Crashes { get; init; } = [];
}

/// <summary>What reading the crash history found: the usable crash times, and what was wrong with the file, if anything.</summary>
/// <param name="Crashes">Crash times, none in the future; older ones are left for <see cref="CrashPolicy"/> to drop.</param>
/// <param name="Problem">Why (part of) the file was ignored: corrupt, unreadable, times in the future. Never fatal.</param>
internal sealed record CrashHistoryRead(IReadOnlyList<DateTimeOffset> Crashes, string? Problem);

/// <summary>
/// Owns <c>crash-history.json</c>: read at every supervisor start and written (atomically, 0600)
/// after every crash, so the crash-storm limit holds across supervisor deaths. Only the holder
/// of <c>supervisor.lock</c> writes it. A corrupt or odd file is reported and ignored.
/// </summary>
internal static class CrashHistoryStore
{
    private const long MaxBytes = 256 * 1024;

    public static CrashHistoryRead Read(StateDirectory state, DateTimeOffset now)
    {
        var path = state.CrashHistoryFile;
        CrashHistory? history;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return new CrashHistoryRead([], null);
            }
            if (info.Length > MaxBytes)
            {
                return new CrashHistoryRead([], $"{path} is {info.Length} bytes, more than a crash history can be; ignored");
            }
            history = JsonSerializer.Deserialize(File.ReadAllBytes(path), DaemonJsonContext.Default.CrashHistory);
        }
        catch (FileNotFoundException)
        {
            return new CrashHistoryRead([], null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CrashHistoryRead([], $"cannot read {path}: {e.Message}; ignored");
        }
        catch (JsonException e)
        {
            return new CrashHistoryRead([], $"{path} is not a valid crash history ({e.Message}); ignored");
        }
        if (history is null || history.Schema != CrashHistory.CurrentSchema)
        {
            return new CrashHistoryRead([], $"{path} has an unknown schema; ignored");
        }
        var future = history.Crashes.Count(at => at > now);
        return new CrashHistoryRead([.. history.Crashes.Where(at => at <= now)],
            future == 0 ? null : $"{path} holds {future} crash time(s) in the future (was the clock moved?); those are ignored");
    }

    /// <summary>Replaces the file. The caller holds <c>supervisor.lock</c>.</summary>
    public static void Write(StateDirectory state, IReadOnlyList<DateTimeOffset> crashes) =>
        AtomicFile.WriteAllBytes(state.CrashHistoryFile,
            JsonSerializer.SerializeToUtf8Bytes(new CrashHistory { Crashes = [.. crashes.TakeLast(CrashPolicy.KeptCrashes)] }, DaemonJsonContext.Default.CrashHistory));
}

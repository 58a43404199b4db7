using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Restart;

/// <summary>
/// Writes and consumes <c>restart-intent.json</c> (0600, atomic). An intent is accepted only
/// when it is a regular file of at most 1 KiB, names this PID and is under 60 s old; it is
/// deleted whenever it is read, so a stale one never turns a later SIGTERM into a restart.
/// </summary>
internal static class RestartIntentStore
{
    public const string FileName = "restart-intent.json";
    public const int MaxBytes = 1024;
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);

    public static string PathOf(StateDirectory state) => Path.Combine(state.Root, FileName);

    public static void Write(StateDirectory state, RestartIntent intent) =>
        AtomicFile.WriteAllBytes(PathOf(state), JsonSerializer.SerializeToUtf8Bytes(intent, RestartJsonContext.Default.RestartIntent));

    /// <summary>Reads and deletes the intent; null when there is none or it is not acceptable (then <paramref name="warning"/> says why).</summary>
    public static RestartIntent? Consume(StateDirectory state, int pid, DateTimeOffset now, out string? warning)
    {
        warning = null;
        var path = PathOf(state);
        FileInfo info = new(path);
        if (!info.Exists && info.LinkTarget is null)
        {
            return null;
        }
        try
        {
            if (info.LinkTarget is not null || (info.Attributes & FileAttributes.Directory) != 0)
            {
                warning = $"ignored {path}: not a regular file";
                return null;
            }
            if (info.Length > MaxBytes)
            {
                warning = $"ignored {path}: larger than {MaxBytes} bytes";
                return null;
            }
            RestartIntent? intent;
            try
            {
                intent = JsonSerializer.Deserialize(File.ReadAllBytes(path), RestartJsonContext.Default.RestartIntent);
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
            {
                warning = $"ignored {path}: unreadable ({e.Message})";
                return null;
            }
            if (intent is null || intent.Kind != "gateway-restart")
            {
                warning = $"ignored {path}: not a gateway-restart intent";
                return null;
            }
            if (intent.Pid != pid)
            {
                warning = $"ignored {path}: it is for pid {intent.Pid}, not {pid}";
                return null;
            }
            if (intent.CreatedAt is < 0 or > 253_402_300_799_999)
            {
                warning = $"ignored {path}: createdAt {intent.CreatedAt} is not a time";
                return null;
            }
            var age = now - DateTimeOffset.FromUnixTimeMilliseconds(intent.CreatedAt);
            if (age > MaxAge || age < -MaxAge)
            {
                warning = $"ignored {path}: {age.TotalSeconds:F0} s old (the limit is {MaxAge.TotalSeconds:F0} s)";
                return null;
            }
            return intent;
        }
        finally
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}

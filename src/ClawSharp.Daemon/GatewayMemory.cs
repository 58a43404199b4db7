using System.Globalization;

namespace ClawSharp.Daemon;

/// <summary>
/// A process's resident memory (VmRSS in <c>/proc/PID/status</c>): sampled by the supervisor
/// every <see cref="SampleInterval"/> into daemon.json, so that after an OOM kill the last known
/// size is on record. Linux only; null elsewhere or when the process is gone.
/// </summary>
internal static class GatewayMemory
{
    /// <summary>How often the supervisor samples its gateway: cheap (one small procfs read), and a daemon.json write.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether a new sample is worth a daemon.json write: the first one, or the size moved by 10 % or
    /// more since the one on record. Never for age alone: an idle gateway's supervisor writes nothing
    /// (a periodic rewrite is SD-card wear for no news); the record's time says when it was taken.
    /// </summary>
    public static bool WorthRecording(long? recorded, DateTimeOffset? recordedAt, long sample, DateTimeOffset now) =>
        recorded is not { } before || recordedAt is null || Math.Abs(sample - before) * 10 >= before;

    public static long? RssBytes(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kilobytes) ? kilobytes * 1024 : null;
                }
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

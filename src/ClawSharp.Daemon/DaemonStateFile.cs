using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Daemon;

/// <summary>What reading <c>daemon.json</c> found.</summary>
internal abstract record DaemonStateRead
{
    private DaemonStateRead()
    {
    }

    /// <summary>No file: no supervisor has run with this state directory (or it was cleaned up).</summary>
    public sealed record Missing : DaemonStateRead;

    /// <summary>The file exists but cannot be used; <paramref name="Problem"/> says why.</summary>
    public sealed record Corrupt(string Problem) : DaemonStateRead;

    public sealed record Found(DaemonState State) : DaemonStateRead;
}

/// <summary>Reads and writes <c>daemon.json</c>: temp file, flush, rename, so readers never see half a file.</summary>
internal static class DaemonStateFile
{
    private const long MaxBytes = 256 * 1024;

    public static DaemonStateRead Read(StateDirectory state)
    {
        var path = state.DaemonStateFile;
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return new DaemonStateRead.Missing();
            }
            if (info.Length > MaxBytes)
            {
                return new DaemonStateRead.Corrupt($"{path} is {info.Length} bytes, more than a daemon state file can be");
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return new DaemonStateRead.Missing();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DaemonStateRead.Corrupt($"cannot read {path}: {e.Message}");
        }
        try
        {
            var parsed = JsonSerializer.Deserialize(bytes, DaemonJsonContext.Default.DaemonState);
            return parsed is { SupervisorPid: > 0 } valid
                ? new DaemonStateRead.Found(valid)
                : new DaemonStateRead.Corrupt($"{path} does not name a supervisor");
        }
        catch (JsonException e)
        {
            return new DaemonStateRead.Corrupt($"{path} is not valid daemon state: {e.Message}");
        }
    }

    /// <summary>Replaces the file. The caller holds <c>supervisor.lock</c>.</summary>
    public static void Write(StateDirectory state, DaemonState daemon) =>
        AtomicFile.WriteAllBytes(state.DaemonStateFile, JsonSerializer.SerializeToUtf8Bytes(daemon, DaemonJsonContext.Default.DaemonState));
}

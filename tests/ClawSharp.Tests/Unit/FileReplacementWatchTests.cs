using System.Collections.Concurrent;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// The config watch on real inotify: writes to a file held open (the store's WAL) raise nothing,
/// a file written and closed in place, created, renamed over or removed does.
/// </summary>
public sealed class FileReplacementWatchTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly TempHome home = new();
    private readonly BlockingCollection<string> seen = [];

    public void Dispose()
    {
        seen.Dispose();
        home.Dispose();
    }

    [Fact]
    public void WritesToAFileHeldOpen_RaiseNothing_WhileEveryWayOfSavingAFileIsSeen()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var config = Path.Combine(home.Root, "config.json");
        File.WriteAllText(config, "{}");
        using var wal = new FileStream(Path.Combine(home.Root, "state.db-wal"), FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        using var watch = FileReplacementWatch.Start(home.Root, seen.Add);

        for (var i = 0; i < 200; i++)
        {
            wal.Write(new byte[4096]);
            wal.Flush();
        }
        // Events arrive in order: the marker is the first, so the WAL's 200 writes raised none.
        Assert.Equal(["mark-1"], Step("mark-1"));

        File.WriteAllText(config, "{ }");
        Assert.Contains("config.json", Step("mark-2"));

        var temp = config + ".tmp";
        File.WriteAllText(temp, "{  }");
        File.Move(temp, config, overwrite: true);
        Assert.Contains("config.json", Step("mark-3"));

        File.Delete(config);
        Assert.Contains("config.json", Step("mark-4"));
    }

    /// <summary>Writes a marker file and returns the names seen up to it (a step's events, in order).</summary>
    private List<string> Step(string marker)
    {
        File.WriteAllText(Path.Combine(home.Root, marker), "");
        var names = new List<string>();
        while (names.LastOrDefault() != marker)
        {
            names.Add(seen.TryTake(out var name, Deadline) ? name : throw new TimeoutException($"no inotify event up to {marker}: {string.Join(", ", names)}"));
        }
        return names;
    }
}

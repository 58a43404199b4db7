using System.Diagnostics;
using ClawSharp.Gateway.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// Gives memory back after a burst, once the gateway is quiet again: every <see cref="CheckInterval"/>
/// it looks at how much the process has allocated (one counter read). When at least
/// <see cref="BurstBytes"/> were allocated since the last trim and less than <see cref="QuietBytes"/>
/// in the last interval, it runs one compacting, decommitting full GC and <c>malloc_trim</c>, and logs
/// what that gave. Never on a request's path, and at most once per burst: a steady load (more than
/// <see cref="QuietBytes"/> per interval) is never interrupted, and an idle gateway allocates too
/// little to reach <see cref="BurstBytes"/> for hours. Without it the GC keeps the regions and glibc
/// the arenas a burst grew (bench/memory.py, issue 18).
/// </summary>
internal sealed class IdleMemoryTrimmer : IDisposable
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);
    public const long BurstBytes = 16L * 1024 * 1024;
    public const long QuietBytes = 1L * 1024 * 1024;

    private readonly ILogger logger;
    private readonly Func<long> allocatedBytes;
    private readonly Lock gate = new();
    private readonly ITimer timer;
    private long atLastCheck;
    private long atLastTrim;

    public IdleMemoryTrimmer(TimeProvider time, ILogger logger, Func<long>? allocatedBytes = null)
    {
        this.logger = logger;
        this.allocatedBytes = allocatedBytes ?? (() => GC.GetTotalAllocatedBytes(precise: false));
        atLastCheck = atLastTrim = this.allocatedBytes();
        timer = time.CreateTimer(_ => Check(), null, CheckInterval, CheckInterval);
    }

    /// <summary>One look; true when it trimmed. The timer calls it; tests call it directly.</summary>
    public bool Check()
    {
        lock (gate)
        {
            var now = allocatedBytes();
            var lastInterval = now - atLastCheck;
            atLastCheck = now;
            if (now - atLastTrim < BurstBytes || lastInterval >= QuietBytes)
            {
                return false;
            }
            atLastTrim = now;
        }
        Trim();
        return true;
    }

    private void Trim()
    {
        var before = Environment.WorkingSet;
        var started = Stopwatch.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
        LifecycleLog.MemoryTrimmed(logger, before / 1024 / 1024, Environment.WorkingSet / 1024 / 1024,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public void Dispose() => timer.Dispose();
}

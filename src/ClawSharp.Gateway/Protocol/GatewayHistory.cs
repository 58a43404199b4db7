using ClawSharp.Gateway.Work;

namespace ClawSharp.Gateway.Protocol;

/// <summary>One point of <see cref="GatewayHistory"/>: memory, active work and restarts at a moment.</summary>
internal sealed record HistorySample(long Ts, int Pid, long RssBytes, long ManagedBytes, int QueueSize, long PendingReplies, int ActiveRuns,
    int ActiveTasks, int Restarts);

/// <summary>
/// The last hour of the process, for the dashboard's charts (<c>gateway.history</c>): a sample
/// every <see cref="Interval"/>, at most <see cref="Capacity"/> kept in a ring. It lives as long
/// as the process, across in-process restarts: each generation attaches its work counters while
/// it serves. Samples are in memory only, so a fresh-PID restart starts a new history (the page
/// keeps its own copy and merges). The timer starts with the first generation, and one sample
/// costs a read of <c>/proc/self/statm</c> and a few counters.
/// </summary>
internal sealed class GatewayHistory : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    public const int Capacity = 360;

    private readonly TimeProvider time;
    private readonly Func<int> restarts;
    private readonly HistorySample[] ring = new HistorySample[Capacity];
    private readonly Lock gate = new();
    private int next;
    private int count;
    private Func<WorkCounters>? work;
    private ITimer? timer;

    public GatewayHistory(TimeProvider time, Func<int> restarts)
    {
        this.time = time;
        this.restarts = restarts;
    }

    /// <summary>The serving generation's counters; sampled at once, so a page opened just after a start has a point.</summary>
    public void Attach(Func<WorkCounters> counters)
    {
        lock (gate)
        {
            work = counters;
            timer ??= time.CreateTimer(_ => Sample(), null, Interval, Interval);
        }
        Sample();
    }

    /// <summary>The generation stops serving: its counters (and its store) must not be read any more.</summary>
    public void Detach(Func<WorkCounters> counters)
    {
        lock (gate)
        {
            if (work == counters)
            {
                work = null;
            }
        }
    }

    /// <summary>The samples kept, oldest first.</summary>
    public IReadOnlyList<HistorySample> Snapshot()
    {
        lock (gate)
        {
            var samples = new HistorySample[count];
            for (var i = 0; i < count; i++)
            {
                samples[i] = ring[(next - count + i + Capacity) % Capacity];
            }
            return samples;
        }
    }

    public void Sample()
    {
        Func<WorkCounters>? source;
        lock (gate)
        {
            source = work;
        }
        WorkCounters counters;
        try
        {
            counters = source?.Invoke() ?? new WorkCounters(0, 0, 0, 0);
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            // The generation closed between the read of its counters and the call: no point this time.
            return;
        }
        var sample = new HistorySample(time.GetUtcNow().ToUnixTimeMilliseconds(), Environment.ProcessId, Environment.WorkingSet,
            GC.GetTotalMemory(forceFullCollection: false), counters.QueueSize, counters.PendingReplies, counters.ActiveRuns,
            counters.ActiveTasks, restarts());
        lock (gate)
        {
            ring[next] = sample;
            next = (next + 1) % Capacity;
            count = Math.Min(count + 1, Capacity);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            timer?.Dispose();
            timer = null;
        }
    }
}

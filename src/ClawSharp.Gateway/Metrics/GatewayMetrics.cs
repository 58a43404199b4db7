using Prometheus;

namespace ClawSharp.Gateway.Metrics;

/// <summary>The active work a scrape reads from the serving generation (gauges, not counters).</summary>
internal sealed record MetricsGauges(int QueueDepth, long PendingReplies, int ActiveTasks, int WebSocketClients);

/// <summary>
/// The gateway's own series, on prometheus-net's default registry: the rooms that see an event
/// (Work/, Restart/, Lifecycle/, Protocol/, Http/) call one method here and know nothing of the
/// exporter (<see cref="MetricsExporter"/>). Static because the registry is the process's: its
/// counters outlive in-process restarts (generations), and a fresh process starts them from zero
/// (see <see cref="RecordRestart"/>). The series are listed in docs/operate.md.
/// </summary>
internal static class GatewayMetrics
{
    // First, in textual order: the registry's defaults are chosen before any series below touches it.
    private static readonly bool RegistryReady = MetricsExporter.EnsureCreated();
    private static readonly Counter Accepted = Prometheus.Metrics.CreateCounter("clawsharp_messages_accepted_total",
        "Messages committed (chat.send and POST /v1/messages; a repeated idempotency key is not counted).");
    private static readonly Counter Answered = Prometheus.Metrics.CreateCounter("clawsharp_messages_answered_total",
        "Runs that ended with a reply stored (completed, failed or aborted).");
    private static readonly Counter Refused = Prometheus.Metrics.CreateCounter("clawsharp_messages_refused_total",
        "Messages turned away, by reason: draining, unauthorized, rate_limited, invalid, too_large.", "reason");
    private static readonly Counter Runs = Prometheus.Metrics.CreateCounter("clawsharp_runs_total",
        "Runs by final state: completed, failed, aborted, interrupted (cut by a close and queued again).", "state");
    private static readonly Counter Restarts = Prometheus.Metrics.CreateCounter("clawsharp_restarts_total",
        "Restarts this process came out of, by mode (in-process, respawn, supervised) and reason.", "mode", "reason");
    private static readonly Histogram Drains = Prometheus.Metrics.CreateHistogram("clawsharp_drain_duration_seconds",
        "How long a drain waited for the active work, by kind (restart, stop).",
        new HistogramConfiguration { LabelNames = ["kind"], Buckets = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
    private static readonly Gauge QueueDepth = Prometheus.Metrics.CreateGauge("clawsharp_queue_depth", "Queued plus running runs.");
    private static readonly Gauge PendingReplies = Prometheus.Metrics.CreateGauge("clawsharp_replies_pending", "Replies not yet delivered.");
    private static readonly Gauge ActiveTasks = Prometheus.Metrics.CreateGauge("clawsharp_tasks_active", "Background tasks running now.");
    private static readonly Gauge WebSocketClients = Prometheus.Metrics.CreateGauge("clawsharp_websocket_clients", "Open control-protocol connections.");
    private static readonly Gauge ReadyTime = Prometheus.Metrics.CreateGauge("clawsharp_ready_time_seconds",
        "From the process's start to its first generation serving (ready).");
    private static readonly Counter StoreCommits = Prometheus.Metrics.CreateCounter("clawsharp_store_commits_total",
        "Group commits of the store's hot writes (each one transaction).");
    private static readonly Counter StoreSyncedCommits = Prometheus.Metrics.CreateCounter("clawsharp_store_synced_commits_total",
        "Group commits that waited for an fsync of the WAL (store.durability durable, and a write in the batch that must survive a power cut).");
    private static readonly Counter StoreWrites = Prometheus.Metrics.CreateCounter("clawsharp_store_writes_total",
        "Writes committed by the group commits (accepts, run starts and ends, deliveries); writes / commits is the mean batch.");
    private static readonly Counter ConnectionsRefused = Prometheus.Metrics.CreateCounter("clawsharp_connections_refused_total",
        "Connections closed as soon as accepted: the port held gateway.maxConnections (or what the open-file limit leaves).");
    private static Func<MetricsGauges?> gauges = () => null;
    private static int readyRecorded;

    /// <summary>Reads the gauges from the serving generation just before each scrape is written.</summary>
    public static void ReadGaugesNow()
    {
        MetricsGauges? now;
        try
        {
            now = Volatile.Read(ref gauges)();
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            // A scrape that lands while a generation closes keeps the last figures rather than failing the whole answer.
            return;
        }
        if (now is null)
        {
            return;
        }
        QueueDepth.Set(now.QueueDepth);
        PendingReplies.Set(now.PendingReplies);
        ActiveTasks.Set(now.ActiveTasks);
        WebSocketClients.Set(now.WebSocketClients);
    }

    /// <summary>Points the gauges at the serving generation (a new generation replaces the old one's source).</summary>
    public static void ObserveWork(Func<MetricsGauges?> source) => Volatile.Write(ref gauges, source);

    public static void MessageAccepted() => Accepted.Inc();

    public static void MessageAnswered() => Answered.Inc();

    public static void MessageRefused(string reason) => Refused.WithLabels(reason).Inc();

    public static void RunEnded(string state) => Runs.WithLabels(state).Inc();

    /// <summary>Group commits so far (the store benchmark reports commits per message).</summary>
    public static double StoreCommitCount => StoreCommits.Value;

    public static double StoreSyncedCommitCount => StoreSyncedCommits.Value;

    /// <summary>One group commit of <paramref name="writes"/> writes; <paramref name="synced"/>: it waited for an fsync.</summary>
    public static void StoreBatchCommitted(int writes, bool synced)
    {
        StoreCommits.Inc();
        StoreWrites.Inc(writes);
        if (synced)
        {
            StoreSyncedCommits.Inc();
        }
    }

    /// <summary>
    /// A restart this process came out of: counted by the process that serves afterwards, so that a
    /// fresh-PID respawn (a new process, counters at zero) counts the restart it was made by.
    /// </summary>
    public static void RecordRestart(string mode, string reason) => Restarts.WithLabels(mode, reason).Inc();

    public static void RecordConnectionRefused() => ConnectionsRefused.Inc();

    public static void RecordDrain(string kind, TimeSpan waited) => Drains.WithLabels(kind).Observe(waited.TotalSeconds);

    /// <summary>The first time a generation of this process serves (later, in-process restarts do not change it).</summary>
    public static void RecordReady(TimeSpan sinceProcessStart)
    {
        if (Interlocked.Exchange(ref readyRecorded, 1) == 0)
        {
            ReadyTime.Set(sinceProcessStart.TotalSeconds);
        }
    }
}

using System.Diagnostics.Metrics;

namespace ClawSharp.Gateway.Metrics;

/// <summary>The active work a scrape reads from the serving generation (gauges, not counters).</summary>
internal sealed record MetricsGauges(int QueueDepth, long PendingReplies, int ActiveTasks, int WebSocketClients);

/// <summary>
/// The gateway's own instruments, on one <see cref="System.Diagnostics.Metrics.Meter"/> named
/// <see cref="MeterName"/>: the rooms that see an event (Work/, Restart/, Lifecycle/, Protocol/,
/// Http/) call one method here and know nothing of the exporter (<see cref="MetricsExporter"/>).
/// Static because the meter is the process's: its counters outlive in-process restarts
/// (generations), and a fresh process starts them from zero (see <see cref="RecordRestart"/>).
/// Names follow OpenTelemetry's; the Prometheus exporter turns <c>clawsharp.messages.accepted</c>
/// into <c>clawsharp_messages_accepted_total</c>, a unit of <c>s</c> into <c>_seconds</c>.
/// </summary>
internal static class GatewayMetrics
{
    public const string MeterName = "ClawSharp.Gateway";

    private static readonly Meter Meter = new(MeterName, GatewayVersion.Current);
    private static readonly Counter<long> Accepted = Meter.CreateCounter<long>("clawsharp.messages.accepted", description: "Messages committed (chat.send and POST /v1/messages; a repeated idempotency key is not counted).");
    private static readonly Counter<long> Answered = Meter.CreateCounter<long>("clawsharp.messages.answered", description: "Runs that ended with a reply stored (completed, failed or aborted).");
    private static readonly Counter<long> Refused = Meter.CreateCounter<long>("clawsharp.messages.refused", description: "Messages turned away, by reason: draining, unauthorized, rate_limited, invalid, too_large.");
    private static readonly Counter<long> Runs = Meter.CreateCounter<long>("clawsharp.runs", description: "Runs by final state: completed, failed, aborted, interrupted (cut by a close and queued again).");
    private static readonly Counter<long> Restarts = Meter.CreateCounter<long>("clawsharp.restarts", description: "Restarts this process came out of, by mode (in-process, respawn) and reason.");
    private static readonly Histogram<double> Drains = Meter.CreateHistogram<double>("clawsharp.drain.duration", unit: "s", description: "How long a drain waited for the active work, by kind (restart, stop).");
    private static Func<MetricsGauges?> gauges = () => null;
    private static double readySeconds = double.NaN;

    static GatewayMetrics()
    {
        Meter.CreateObservableGauge("clawsharp.queue.depth", () => Read(g => g.QueueDepth), description: "Queued plus running runs.");
        Meter.CreateObservableGauge("clawsharp.replies.pending", () => Read(g => g.PendingReplies), description: "Replies not yet delivered.");
        Meter.CreateObservableGauge("clawsharp.tasks.active", () => Read(g => g.ActiveTasks), description: "Background tasks running now.");
        Meter.CreateObservableGauge("clawsharp.websocket.clients", () => Read(g => g.WebSocketClients), description: "Open control-protocol connections.");
        Meter.CreateObservableGauge("clawsharp.ready.time", ReadyTime, unit: "s", description: "From the process's start to its first generation serving (ready).");
    }

    /// <summary>Points the gauges at the serving generation (a new generation replaces the old one's source).</summary>
    public static void ObserveWork(Func<MetricsGauges?> source) => Volatile.Write(ref gauges, source);

    public static void MessageAccepted() => Accepted.Add(1);

    public static void MessageAnswered() => Answered.Add(1);

    public static void MessageRefused(string reason) => Refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public static void RunEnded(string state) => Runs.Add(1, new KeyValuePair<string, object?>("state", state));

    /// <summary>
    /// A restart this process came out of: counted by the process that serves afterwards, so that a
    /// fresh-PID respawn (a new process, counters at zero) counts the restart it was made by.
    /// </summary>
    public static void RecordRestart(string mode, string reason) =>
        Restarts.Add(1, new KeyValuePair<string, object?>("mode", mode), new KeyValuePair<string, object?>("reason", reason));

    public static void RecordDrain(string kind, TimeSpan waited) =>
        Drains.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>The first time a generation of this process serves (later, in-process restarts do not change it).</summary>
    public static void RecordReady(TimeSpan sinceProcessStart)
    {
        if (double.IsNaN(Volatile.Read(ref readySeconds)))
        {
            Volatile.Write(ref readySeconds, sinceProcessStart.TotalSeconds);
        }
    }

    private static IEnumerable<Measurement<double>> ReadyTime()
    {
        var seconds = Volatile.Read(ref readySeconds);
        return double.IsNaN(seconds) ? [] : [new Measurement<double>(seconds)];
    }

    private static IEnumerable<Measurement<long>> Read(Func<MetricsGauges, long> pick)
    {
        MetricsGauges? now;
        try
        {
            now = Volatile.Read(ref gauges)();
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            // A scrape that lands while a generation closes reads nothing rather than failing the whole answer.
            now = null;
        }
        return now is null ? [] : [new Measurement<long>(pick(now))];
    }
}

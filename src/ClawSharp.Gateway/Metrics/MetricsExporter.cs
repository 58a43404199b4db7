using Prometheus;

namespace ClawSharp.Gateway.Metrics;

/// <summary>
/// Writes the process's metrics in the Prometheus text format: the gateway's series
/// (<see cref="GatewayMetrics"/>) and prometheus-net's process metrics (<c>process_cpu_seconds_total</c>,
/// <c>process_working_set_bytes</c>, <c>process_open_handles</c>, <c>dotnet_collection_count_total</c>, …).
/// Its event-counter and .NET-meter adapters are switched off: each costs a listener, threads and
/// memory in every gateway, for series nobody here asked for. Each server generation serves it at
/// <c>/metrics</c> (<c>Http/MetricsAccess</c> decides who may read it).
/// </summary>
internal static class MetricsExporter
{
    private static readonly Lazy<CollectorRegistry> Registry = new(() =>
    {
        // Before the default registry is first used: only the process metrics stay on.
        Prometheus.Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressProcessMetrics = false,
            SuppressDebugMetrics = true,
            SuppressEventCounters = true,
            SuppressMeters = true,
        });
        var registry = Prometheus.Metrics.DefaultRegistry;
        registry.AddBeforeCollectCallback(GatewayMetrics.ReadGaugesNow);
        return registry;
    });

    /// <summary>Sets the registry up (once); <see cref="GatewayMetrics"/> calls it before it creates its series.</summary>
    public static bool EnsureCreated() => Registry.Value is not null;

    public static Task WriteAsync(Stream body, CancellationToken cancellationToken) => Registry.Value.CollectAndExportAsTextAsync(body, cancellationToken);
}

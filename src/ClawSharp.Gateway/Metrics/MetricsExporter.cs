using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace ClawSharp.Gateway.Metrics;

/// <summary>
/// The process's one OpenTelemetry meter provider with the Prometheus exporter: built once per
/// process (not per generation), so that the counters it aggregates survive in-process restarts.
/// It reads the gateway's meter (<see cref="GatewayMetrics"/>) and the runtime's built-in
/// <c>System.Runtime</c> meter (process CPU and memory, GC, thread pool). Each server generation
/// serves it at <c>/metrics</c> (<c>Http/MetricsAccess</c> decides who may read it).
/// </summary>
internal sealed class MetricsExporter : IDisposable
{
    /// <summary>The runtime's own meter (.NET 9 and later): process and GC metrics without an instrumentation package.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    private MetricsExporter(MeterProvider provider) => Provider = provider;

    public MeterProvider Provider { get; }

    private static readonly Lazy<MetricsExporter> Shared = new(Create);

    /// <summary>The process's exporter, built by the first generation to start (before any work is counted).</summary>
    public static MetricsExporter Process => Shared.Value;

    private static MetricsExporter Create() => new(Sdk.CreateMeterProviderBuilder()
        .AddMeter(GatewayMetrics.MeterName, RuntimeMeterName)
        // A scrape is answered from this cache for no longer than it takes to serve it: two scrapes a second apart see fresh figures.
        .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0)
        .Build());

    public void Dispose() => Provider.Dispose();
}

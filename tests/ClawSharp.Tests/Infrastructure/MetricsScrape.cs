using System.Globalization;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>Reads the gateway's <c>/metrics</c> (Prometheus text) the way a scraper does.</summary>
internal static class MetricsScrape
{
    /// <summary>The values of unlabelled series, by name, in one scrape.</summary>
    public static async Task<IReadOnlyList<double>> ValuesAsync(int port, params string[] names)
    {
        using var http = new HttpClient();
        var lines = (await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"))).Split('\n');
        return [.. names.Select(name => double.Parse(lines.Single(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split(' ')[1],
            CultureInfo.InvariantCulture))];
    }
}

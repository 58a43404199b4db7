using System.Globalization;

namespace ClawSharp.Bench;

/// <summary>Nearest-rank percentiles of a set of latencies in milliseconds.</summary>
internal sealed class Percentiles
{
    private readonly double[] sorted;

    public Percentiles(IEnumerable<double> milliseconds)
    {
        sorted = milliseconds.ToArray();
        Array.Sort(sorted);
    }

    public int Count => sorted.Length;

    public double At(double q) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];

    public double Max => sorted.Length == 0 ? double.NaN : sorted[^1];

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {At(0.50):F2} ms, p90 {At(0.90):F2} ms, p99 {At(0.99):F2} ms, max {Max:F2} ms");

    public string Json() => string.Create(CultureInfo.InvariantCulture,
        $"\"p50_ms\":{Round(At(0.50))},\"p90_ms\":{Round(At(0.90))},\"p99_ms\":{Round(At(0.99))},\"max_ms\":{Round(Max)}");

    private static string Round(double value) => double.IsNaN(value) ? "null" : Math.Round(value, 3).ToString(CultureInfo.InvariantCulture);
}

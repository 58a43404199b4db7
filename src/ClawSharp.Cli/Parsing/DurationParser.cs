using System.Globalization;

namespace ClawSharp.Cli.Parsing;

/// <summary>Durations on the command line: <c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>1h</c>, or plain milliseconds.</summary>
internal static class DurationParser
{
    public const string AcceptedForms = "accepted forms: 500ms, 10s, 5m, 1h, or plain milliseconds (e.g. 1500)";

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var trimmed = text.Trim().ToLowerInvariant();
        (string number, double unitMs) = trimmed switch
        {
            _ when trimmed.EndsWith("ms", StringComparison.Ordinal) => (trimmed[..^2], 1d),
            _ when trimmed.EndsWith('s') => (trimmed[..^1], 1000d),
            _ when trimmed.EndsWith('m') => (trimmed[..^1], 60_000d),
            _ when trimmed.EndsWith('h') => (trimmed[..^1], 3_600_000d),
            _ => (trimmed, 1d),
        };
        if (number.Length == 0
            || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            // "NaN" and "Infinity" parse as doubles whatever the styles; TimeSpan throws on them.
            || !double.IsFinite(value * unitMs)
            || value * unitMs > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }
        duration = TimeSpan.FromMilliseconds(value * unitMs);
        return true;
    }
}

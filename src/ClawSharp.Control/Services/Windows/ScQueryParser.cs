using System.Globalization;

namespace ClawSharp.Control.Services.Windows;

/// <summary>
/// Reads <c>sc.exe queryex &lt;name&gt;</c>: <c>KEY : VALUE</c> lines, where a numeric value is
/// followed by its name (<c>STATE : 4  RUNNING</c>) or its hex form (<c>WIN32_EXIT_CODE : 0  (0x0)</c>). Pure.
/// </summary>
internal static class ScQueryParser
{
    public static WindowsServiceStatus Parse(string output)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                values.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
            }
        }
        var state = values.TryGetValue("STATE", out var text) && text.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var name, ..] ? name : "";
        var pid = Number(values, "PID");
        return new WindowsServiceStatus(true, state, pid is > 0 ? pid : null, Number(values, "WIN32_EXIT_CODE"), Number(values, "SERVICE_EXIT_CODE"));
    }

    /// <summary>The leading decimal number of the value.</summary>
    private static int? Number(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var text) && text.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var first, ..]
            && int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}

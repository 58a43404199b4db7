using System.Globalization;

namespace ClawSharp.Control.Services.Launchd;

/// <summary>
/// Reads <c>launchctl print &lt;domain&gt;/&lt;label&gt;</c>. Pure. The output is meant for people, not
/// programs (Apple documents no format and changes it between releases), so only the job's own
/// top-level <c>key = value</c> lines are read, and a nested block (<c>environment = { … }</c>,
/// <c>domain = { state = active }</c>) never answers for the job.
/// </summary>
internal static class LaunchdPrintParser
{
    public static LaunchdJobStatus Parse(string output)
    {
        var values = TopLevelValues(output);
        return new LaunchdJobStatus(
            Loaded: true,
            State: values.GetValueOrDefault("state", ""),
            Pid: Integer(values, "pid"),
            LastExitCode: Integer(values, "last exit code"),
            Runs: Integer(values, "runs"));
    }

    /// <summary>The <c>key = value</c> lines directly inside the outermost <c>{ … }</c>.</summary>
    private static Dictionary<string, string> TopLevelValues(string output)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var depth = 0;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.EndsWith('{'))
            {
                depth++;
                continue;
            }
            if (line.StartsWith('}'))
            {
                depth--;
                continue;
            }
            var equals = line.IndexOf(" = ", StringComparison.Ordinal);
            if (depth == 1 && equals > 0)
            {
                values.TryAdd(line[..equals], line[(equals + 3)..].Trim());
            }
        }
        return values;
    }

    /// <summary>The number, or null for anything else (<c>(never exited)</c>).</summary>
    private static int? Integer(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
}

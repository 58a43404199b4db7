using System.Text;

namespace ClawSharp.Control.Services.Systemd;

/// <summary>
/// Quoting for unit files (systemd.syntax(7), systemd.service(5) "Command lines"): a word with
/// blanks, quotes or backslashes is double-quoted with C-style escapes; <c>%</c> is a specifier
/// and <c>$</c> a variable in command lines, so both are doubled to stay literal.
/// </summary>
internal static class SystemdSyntax
{
    /// <summary>One word of an <c>ExecStart=</c> line.</summary>
    public static string CommandWord(string word) => Quote(word.Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal));

    /// <summary>The whole command line.</summary>
    public static string CommandLine(IEnumerable<string> words) => string.Join(' ', words.Select(CommandWord));

    /// <summary>A value of <c>Environment=</c> (<c>"KEY=VALUE"</c>); specifiers are expanded there too, variables are not.</summary>
    public static string Assignment(string key, string value) => Quote($"{key}={value}".Replace("%", "%%", StringComparison.Ordinal));

    /// <summary>A path in a setting that takes one path (<c>EnvironmentFile=</c>, <c>WorkingDirectory=</c>): specifiers escaped, no quotes (systemd takes the rest of the line).</summary>
    public static string Path(string path) => path.Replace("%", "%%", StringComparison.Ordinal);

    private static string Quote(string word)
    {
        if (word.Length > 0 && !word.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or ';'))
        {
            return word;
        }
        var quoted = new StringBuilder("\"");
        foreach (var c in word)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }
}

using System.Text;

namespace ClawSharp.Control.Services.Windows;

/// <summary>
/// Joins arguments into one Windows command line that <c>CommandLineToArgvW</c> (and the C
/// runtime every .NET program parses with) splits back into exactly those arguments. A service's
/// <c>binPath</c> is one such line: the SCM hands it to <c>CreateProcess</c> unchanged. Pure.
/// </summary>
internal static class WindowsCommandLine
{
    public static string Join(IEnumerable<string> arguments) => string.Join(' ', arguments.Select(Quote));

    /// <summary>
    /// The argument as-is when it needs no quoting; else in double quotes, where a run of
    /// backslashes is doubled only before a quote (an escaped one, or the closing one), and each
    /// quote inside is escaped. Elsewhere backslashes are literal: <c>C:\Program Files\x</c> stays as it is.
    /// </summary>
    public static string Quote(string argument)
    {
        if (argument.Length > 0 && !argument.Any(c => c is ' ' or '\t' or '\n' or '\v' or '"'))
        {
            return argument;
        }
        var quoted = new StringBuilder("\"");
        var backslashes = 0;
        foreach (var c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }
            if (c == '"')
            {
                quoted.Append('\\', backslashes * 2 + 1).Append('"');
            }
            else
            {
                quoted.Append('\\', backslashes).Append(c);
            }
            backslashes = 0;
        }
        return quoted.Append('\\', backslashes * 2).Append('"').ToString();
    }
}

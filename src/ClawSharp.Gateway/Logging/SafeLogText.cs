using System.Globalization;
using System.Text;

namespace ClawSharp.Gateway.Logging;

/// <summary>
/// Text made safe to print as one log line: control characters (C0, DEL, C1, the Unicode line
/// and paragraph separators, the bidirectional overrides) become visible escapes (<c>\n</c>,
/// <c>\u001b</c>, <c>\u202e</c>: the JSON spelling, so a JSON line stays valid JSON), so a client string can neither forge a second log line nor send
/// escape sequences to the operator's terminal; and a string past <see cref="MaxLength"/> is cut,
/// saying how much was cut.
/// </summary>
internal static class SafeLogText
{
    /// <summary>The longest string a log property keeps (characters, before escaping).</summary>
    public const int MaxLength = 2048;

    /// <summary>True when <paramref name="text"/> needs <see cref="Escape"/>.</summary>
    public static bool NeedsEscaping(string text, int maxLength = MaxLength)
    {
        if (text.Length > maxLength)
        {
            return true;
        }
        foreach (var c in text)
        {
            if (IsUnsafe(c))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary><paramref name="text"/> with every unsafe character escaped and cut to <paramref name="maxLength"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxLength">Where to cut.</param>
    /// <param name="keepLineBreaks">Keep <c>\n</c> and <c>\t</c> as they are (a stack trace printed by the CLI).</param>
    public static string Escape(string text, int maxLength = MaxLength, bool keepLineBreaks = false)
    {
        if (!NeedsEscaping(text, maxLength))
        {
            return text;
        }
        var kept = text.Length > maxLength ? text[..maxLength] : text;
        var builder = new StringBuilder(kept.Length + 16);
        foreach (var c in kept)
        {
            switch (c)
            {
                case '\n' or '\t' when keepLineBreaks:
                    builder.Append(c);
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case var _ when IsUnsafe(c):
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }
        if (text.Length > maxLength)
        {
            builder.Append(CultureInfo.InvariantCulture, $"…[{text.Length - maxLength} more characters]");
        }
        return builder.ToString();
    }

    private static bool IsUnsafe(char c) =>
        char.IsControl(c) // C0, DEL, C1
        || c is '\u2028' or '\u2029' // line and paragraph separators
        || c is >= '\u202a' and <= '\u202e' // bidirectional embeddings and overrides
        || c is >= '\u2066' and <= '\u2069'; // bidirectional isolates
}

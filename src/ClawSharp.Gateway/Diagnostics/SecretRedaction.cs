namespace ClawSharp.Gateway.Diagnostics;

/// <summary>
/// Takes secrets out of text that leaves the machine: stability bundles get attached to bug
/// reports. Word by word (a command line joined with spaces, a log line): the value of
/// <c>--token</c> / <c>--password</c> in every form (<c>--token X</c>, <c>--token=X</c>,
/// <c>--token:X</c>), and the value of a <c>NAME=VALUE</c> word whose name says it is a secret
/// (<c>CLAWSHARP_TOKEN=…</c>, <c>OPENAI_API_KEY=…</c>, <c>…PASSWORD=…</c>, <c>…SECRET=…</c>).
/// File flags (<c>--token-file</c>, <c>--password-file</c>) name paths, which stay.
/// </summary>
internal static class SecretRedaction
{
    public const string Mask = "[redacted]";

    private static readonly string[] SecretFlags = ["--token", "--password"];
    private static readonly string[] SecretNameParts = ["TOKEN", "PASSWORD", "SECRET", "API_KEY", "APIKEY"];

    /// <summary><paramref name="text"/> with every secret value replaced by <see cref="Mask"/>; null stays null.</summary>
    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }
        var words = text.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            if (Array.IndexOf(SecretFlags, word) >= 0)
            {
                if (i + 1 < words.Length)
                {
                    words[i + 1] = Mask;
                    i++;
                }
                continue;
            }
            if (FlagWithValue(word) is { } flag)
            {
                words[i] = word[..(flag.Length + 1)] + Mask;
                continue;
            }
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && !word.StartsWith('-') && IsSecretName(word[..equals]))
            {
                words[i] = word[..(equals + 1)] + Mask;
            }
        }
        return string.Join(' ', words);
    }

    private static string? FlagWithValue(string word)
    {
        foreach (var flag in SecretFlags)
        {
            if (word.Length > flag.Length && word.StartsWith(flag, StringComparison.Ordinal) && word[flag.Length] is '=' or ':')
            {
                return flag;
            }
        }
        return null;
    }

    private static bool IsSecretName(string name)
    {
        // The name of a variable: the last part of a quoted or prefixed word ("env FOO=…", "\"KEY=…").
        var start = name.LastIndexOfAny(['"', '\'', '(']) + 1;
        var bare = name[start..];
        return bare.Length > 0 && bare.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            && SecretNameParts.Any(part => bare.Contains(part, StringComparison.OrdinalIgnoreCase));
    }
}

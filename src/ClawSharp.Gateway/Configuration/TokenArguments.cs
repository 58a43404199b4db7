namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// The token on a command line, and how to keep it off one. A command line is world-readable
/// (<c>ps</c>, <c>/proc/PID/cmdline</c>), so <c>--token</c> is for one-off runs only;
/// <c>--token-file</c> and <c>CLAWSHARP_TOKEN</c> keep the secret out of it. A fresh-PID respawn
/// passes the token it finds on its own command line to the copy through the environment, which
/// only this user can read.
/// </summary>
internal static class TokenArguments
{
    /// <summary>The environment variable <c>gateway run</c> reads a token from (below <c>--token</c> and <c>--token-file</c>).</summary>
    public const string EnvironmentVariable = "CLAWSHARP_TOKEN";

    /// <summary>The warning <c>gateway run --token</c> prints.</summary>
    public const string CommandLineWarning =
        "warning: --token puts the token on the command line, where 'ps' shows it to every user of this machine; use --token-file FILE (mode 600) or CLAWSHARP_TOKEN instead";

    private const string Flag = "--token";

    /// <summary>
    /// <paramref name="arguments"/> without any <c>--token VALUE</c>, <c>--token=VALUE</c> or
    /// <c>--token:VALUE</c>; <paramref name="token"/> is the last value removed (the one that wins), or null.
    /// </summary>
    public static List<string> WithoutToken(IReadOnlyList<string> arguments, out string? token)
    {
        token = null;
        var kept = new List<string>(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument == Flag)
            {
                if (i + 1 < arguments.Count)
                {
                    token = arguments[++i];
                }
                continue;
            }
            if (argument.StartsWith(Flag + "=", StringComparison.Ordinal) || argument.StartsWith(Flag + ":", StringComparison.Ordinal))
            {
                token = argument[(Flag.Length + 1)..];
                continue;
            }
            kept.Add(argument);
        }
        return kept;
    }
}

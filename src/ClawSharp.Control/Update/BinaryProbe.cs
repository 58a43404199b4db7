using ClawSharp.Control.Services;

namespace ClawSharp.Control.Update;

/// <summary>
/// Asks a clawsharp binary for its version (<c>BINARY --version</c>) before it replaces the
/// installed one: a binary that cannot start, exits non-zero, prints nothing or hangs is refused
/// while nothing has changed yet.
/// </summary>
internal static class BinaryProbe
{
    /// <summary>How long <c>--version</c> may take (5 s): a native build answers in milliseconds, a JIT one in well under a second.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>The version the binary reports (its first output line, without a <c>+commit</c> suffix).</summary>
    /// <exception cref="UpdateRefusedException">It did not answer with a version.</exception>
    public static async Task<string> VersionAsync(string binary, CancellationToken cancellationToken)
    {
        SystemCommandResult result;
        try
        {
            result = await SystemCommand.RunAsync(binary, ["--version"], cancellationToken, timeout: Timeout).ConfigureAwait(false);
        }
        catch (ServiceCommandException e)
        {
            throw new UpdateRefusedException($"{binary} does not run: {e.Message}");
        }
        var first = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (!result.Succeeded || first is null)
        {
            var said = result.StandardError.Trim();
            throw new UpdateRefusedException(
                $"{binary} does not run: '--version' exited with code {result.ExitCode}{(first is null ? " and printed no version" : "")}{(said.Length > 0 ? $" ({said})" : "")}");
        }
        return VersionOf(first);
    }

    /// <summary>
    /// The version in a <c>--version</c> line: its first word that starts with a digit (else its
    /// first word), without a <c>+commit</c> suffix (<c>clawsharp 0.2.0+abc (built …)</c> → <c>0.2.0</c>).
    /// </summary>
    public static string VersionOf(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var word = words.FirstOrDefault(w => char.IsAsciiDigit(w[0])) ?? words[0];
        var plus = word.IndexOf('+', StringComparison.Ordinal);
        return plus > 0 ? word[..plus] : word;
    }
}

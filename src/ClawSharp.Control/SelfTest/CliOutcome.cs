namespace ClawSharp.Control.SelfTest;

/// <summary>How one <c>clawsharp</c> command ended.</summary>
internal sealed record CliOutcome(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Its first stderr line (or stdout's), for a note in the report.</summary>
    public string FirstLine =>
        (Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
         ?? Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "").Trim();
}

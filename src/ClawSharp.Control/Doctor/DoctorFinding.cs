namespace ClawSharp.Control.Doctor;

/// <summary>One check's answer.</summary>
/// <param name="Name">The check (<c>state-modes</c>, <c>stale-files</c>, …).</param>
/// <param name="Ok">True when nothing is wrong (or <c>--fix</c> repaired all of it).</param>
/// <param name="Finding">What was found, in a sentence.</param>
/// <param name="Fix">The command (or edit) that repairs it; null when nothing needs doing.</param>
/// <param name="Fixed">Set by <c>--fix</c>: true when it repaired the finding, false when it left it (and why is in <paramref name="Finding"/>); null without <c>--fix</c> or when nothing needed repair.</param>
internal sealed record DoctorFinding(string Name, bool Ok, string Finding, string? Fix = null, bool? Fixed = null)
{
    public static DoctorFinding Healthy(string name, string finding) => new(name, true, finding);
}

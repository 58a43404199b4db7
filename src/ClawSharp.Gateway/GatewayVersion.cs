using System.Reflection;

namespace ClawSharp.Gateway;

/// <summary>
/// What this binary is: the product version, the commit it was built from and when, read once from
/// the assembly. The build stamps them (<c>-p:Version</c>, the SDK's <c>SourceRevisionId</c> as the
/// informational version's <c>+sha</c>, the <c>BuildDate</c> assembly metadata); see scripts/release.sh.
/// </summary>
internal static class GatewayVersion
{
    private static readonly Assembly Self = typeof(GatewayVersion).Assembly;

    /// <summary>For example <c>0.1.0</c>; the source revision suffix (<c>+sha</c>) is dropped.</summary>
    public static string Current { get; } = Split(Informational()).Version;

    /// <summary>The commit, shortened to 7 hex digits; null when the build did not know it (no git).</summary>
    public static string? Commit { get; } = Split(Informational()).Commit;

    /// <summary>The UTC build date as the build wrote it (a day, or a release's full time); null when not stamped.</summary>
    public static string? BuildDate { get; } =
        Self.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "BuildDate")?.Value is { Length: > 0 } date ? date : null;

    /// <summary>What <c>clawsharp --version</c> prints: <c>clawsharp 0.2.0 (commit 1a2b3c4, built 2026-11-26)</c>.</summary>
    public static string Describe() => Describe(Current, Commit, BuildDate);

    /// <summary>The same line for any binary's facts (a missing commit or date says unknown).</summary>
    public static string Describe(string version, string? commit, string? buildDate) =>
        $"clawsharp {version} (commit {commit ?? "unknown"}, built {buildDate ?? "unknown"})";

    /// <summary>Splits <c>0.1.0+74d81cea…</c> into the version and the short commit.</summary>
    internal static (string Version, string? Commit) Split(string informational)
    {
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0)
        {
            return (informational, null);
        }
        var revision = informational[(plus + 1)..];
        return (informational[..plus], revision.Length == 0 ? null : revision[..Math.Min(7, revision.Length)]);
    }

    private static string Informational() =>
        Self.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}

using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Release;

/// <summary>
/// The release folder the release tests check: <c>CLAWSHARP_RELEASE_DIR</c>, which .ci/run sets after
/// <c>scripts/release.sh VERSION --arm64</c> built it (a Native AOT build takes minutes on these
/// machines, so it is built once, before the tests, not by them). Unset: the tests are skipped.
/// The folder is named after the version the script was given.
/// </summary>
internal static class ReleaseFolder
{
    public const string Variable = "CLAWSHARP_RELEASE_DIR";

    public static string? Path { get; } = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } dir ? System.IO.Path.GetFullPath(dir) : null;

    /// <summary>Why the release tests are skipped, or null when they run.</summary>
    public static string? SkipReason { get; } = Path is null
        ? $"{Variable} is not set: run 'scripts/release.sh 0.0.0-dev --arm64' and set it to artifacts/release/0.0.0-dev (.ci/run does)"
        : null;

    public static string Version => System.IO.Path.GetFileName(Path!.TrimEnd('/'));

    public static string Binary(string rid) => System.IO.Path.Combine(Path!, rid, rid.StartsWith("win-", StringComparison.Ordinal) ? "clawsharp.exe" : "clawsharp");

    /// <summary>scripts/qemu-arm64.sh: runs a linux-arm64 binary under qemu-user-static.</summary>
    public static string QemuLauncher => System.IO.Path.Combine(TestPaths.RepoRoot, "scripts", "qemu-arm64.sh");
}

/// <summary>A fact that needs the release folder (<see cref="ReleaseFolder"/>); skipped without it.</summary>
public sealed class ReleaseFactAttribute : FactAttribute
{
    public ReleaseFactAttribute()
    {
        if (ReleaseFolder.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

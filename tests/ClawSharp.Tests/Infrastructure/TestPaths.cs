using System.Reflection;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>Where the real clawsharp binary of this build is.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The apphost built by the Cli project in this test build's configuration.</summary>
    public static string ClawSharpBinary { get; } = Path.Combine(RepoRoot, "artifacts", "bin", "ClawSharp.Cli",
        Configuration.ToLowerInvariant(), OperatingSystem.IsWindows() ? "clawsharp.exe" : "clawsharp");

    private static string Configuration =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "BuildConfiguration").Value!;

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ClawSharp.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("ClawSharp.slnx not found above " + AppContext.BaseDirectory);
    }
}

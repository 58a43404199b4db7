using System.Text.RegularExpressions;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

/// <summary>The gateway's folders import one way (docs/architecture.md, "The gateway's rooms"): a folder uses only those listed above it.</summary>
public sealed partial class ArchitectureTests
{
    private static readonly string[] Layers =
    [
        "Infrastructure", "Metrics", "ServiceManagers", "Configuration", "Logging", "Storage", "Claim", "Diagnostics", "Agents",
        "Respawn", "Work", "Restart", "Protocol", "Http", "Server", "Lifecycle",
    ];

    [Fact]
    public void GatewayFolders_ImportOnlyTheFoldersBelowThem()
    {
        var root = Path.Combine(TestPaths.RepoRoot, "src", "ClawSharp.Gateway");
        var violations = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            var folder = relative.Split(Path.DirectorySeparatorChar)[0];
            if (relative.StartsWith("obj", StringComparison.Ordinal) || Array.IndexOf(Layers, folder) is var rank && rank < 0)
            {
                continue;
            }
            foreach (Match match in GatewayReference().Matches(File.ReadAllText(file)))
            {
                var used = match.Groups[1].Value;
                if (used != folder && Array.IndexOf(Layers, used) is var usedRank && usedRank >= rank)
                {
                    violations.Add($"{relative} uses {used}");
                }
            }
        }
        Assert.Empty(violations);
    }

    [Fact]
    public void EveryGatewayFolder_HasItsPlaceInTheLayers()
    {
        var root = Path.Combine(TestPaths.RepoRoot, "src", "ClawSharp.Gateway");
        var folders = Directory.EnumerateDirectories(root).Select(Path.GetFileName).Where(name => name is not ("obj" or "bin"));

        Assert.Empty(folders.Except(Layers));
    }

    /// <summary>A using directive or a qualified name of one of the gateway's namespaces.</summary>
    [GeneratedRegex(@"ClawSharp\.Gateway\.([A-Za-z]+)")]
    private static partial Regex GatewayReference();
}

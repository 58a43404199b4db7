using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Release;

/// <summary>
/// The .NET tool route: <c>scripts/pack-tool.sh</c> packs the CLI, and <c>dotnet tool install</c>
/// installs it from that folder alone (a nuget.config that clears every other source, and a tool path
/// instead of <c>--global</c>, keep the test hermetic).
/// </summary>
public sealed class DotnetToolTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "clawsharp-tool-" + Guid.NewGuid().ToString("N")[..12]);

    public DotnetToolTests() => Directory.CreateDirectory(root);

    [Fact]
    public async Task PackedTool_InstallsFromTheLocalFolder_AndPrintsItsVersion()
    {
        const string version = "0.0.1-test." + "7";
        var feed = Path.Combine(root, "feed");
        var tools = Path.Combine(root, "tools");

        var pack = await ScriptRun.RunAsync(Path.Combine(TestPaths.RepoRoot, "scripts", "pack-tool.sh"), [version, feed],
            timeout: TimeSpan.FromMinutes(4));

        Assert.True(pack.ExitCode == 0, pack.ToString());
        var package = Path.Combine(feed, $"clawsharp.{version}.nupkg");
        Assert.Equal(package, pack.Stdout.Trim());
        Assert.True(File.Exists(package));

        var config = Path.Combine(root, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="release" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var install = await ScriptRun.RunAsync("dotnet",
            ["tool", "install", "--tool-path", tools, "clawsharp", "--configfile", config, "--version", version],
            workingDirectory: root, timeout: TimeSpan.FromMinutes(2));
        Assert.True(install.ExitCode == 0, install.ToString());

        var run = await ScriptRun.RunAsync(Path.Combine(tools, "clawsharp"), ["--version"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith($"clawsharp {version} (commit ", run.Stdout.Trim(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

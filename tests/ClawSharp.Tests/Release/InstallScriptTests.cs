using System.Security.Cryptography;
using ClawSharp.Gateway;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Release;

/// <summary>
/// <c>scripts/install.sh</c> against a fake release folder in the layout <c>scripts/release.sh</c>
/// writes (<c>VERSION/{linux-x64,linux-arm64,…}/clawsharp</c> + <c>SHA256SUMS</c>). The machine is
/// whatever a <c>uname</c> stand-in on PATH says, so every test means the same on any host.
/// </summary>
public sealed class InstallScriptTests : IDisposable
{
    private static readonly string Script = Path.Combine(TestPaths.RepoRoot, "scripts", "install.sh");
    private readonly string root = Path.Combine(Path.GetTempPath(), "clawsharp-install-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly RecordingStandIn uname = new RecordingStandIn().Add("uname");

    public InstallScriptTests() => Directory.CreateDirectory(root);

    private string Release => Path.Combine(root, "release", "1.2.3");
    private string Prefix => Path.Combine(root, "prefix");
    private string Bin => Path.Combine(Prefix, "bin");

    [Fact]
    public async Task Install_IntoATempPrefix_VerifiesAndInstallsTheBinaryAndItsLibrary_ThatRunsVersion()
    {
        Machine("Linux", "x86_64");
        WriteRelease();

        var result = await InstallAsync("--from", Release, "--prefix", Prefix);

        Assert.True(result.ExitCode == 0, result.ToString());
        var installed = Path.Combine(Bin, "clawsharp");
        Assert.Equal(File.ReadAllBytes(Path.Combine(Release, "linux-x64", "clawsharp")), File.ReadAllBytes(installed));
        Assert.Equal("library", File.ReadAllText(Path.Combine(Bin, "libe_sqlite3.so")));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(installed));
        Assert.Equal(["clawsharp", "libe_sqlite3.so"], Directory.GetFiles(Bin).Select(Path.GetFileName).Order());  // no temp file left
        var version = await ScriptRun.RunAsync(installed, ["--version"]);
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith($"clawsharp {GatewayVersion.Current} (commit ", version.Stdout.Trim(), StringComparison.Ordinal);
        Assert.Contains($"installed {version.Stdout.Trim()} (linux-x64) to {installed}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{installed} gateway install", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{installed} gateway start", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"warning: {Bin} is not on your PATH", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_OnARaspberryPi_TakesTheArm64Build_AndSaysNothingAboutPathWhenTheTargetIsOnIt()
    {
        Machine("Linux", "aarch64");
        WriteRelease();

        var result = await InstallAsync(["--from", Release, "--prefix", Prefix], path: Bin + ":" + uname.SearchPath);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(Release, "linux-arm64", "clawsharp")), File.ReadAllBytes(Path.Combine(Bin, "clawsharp")));
        Assert.False(File.Exists(Path.Combine(Bin, "libe_sqlite3.so")));  // the arm64 release has none here
        Assert.DoesNotContain("PATH", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("\n  clawsharp gateway install", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATamperedBinary_IsRefused_AndTheInstalledOneIsLeftAlone()
    {
        Machine("Linux", "x86_64");
        WriteRelease();
        File.AppendAllText(Path.Combine(Release, "linux-x64", "clawsharp"), "\n# tampered\n");
        Directory.CreateDirectory(Bin);
        File.WriteAllText(Path.Combine(Bin, "clawsharp"), "the old binary");

        var result = await InstallAsync("--from", Release, "--prefix", Prefix);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("checksum mismatch for linux-x64/clawsharp", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was installed", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("the old binary", File.ReadAllText(Path.Combine(Bin, "clawsharp")));
        Assert.Equal(["clawsharp"], Directory.GetFiles(Bin).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ATamperedLibrary_IsRefusedToo_BeforeAnythingIsCopied()
    {
        Machine("Linux", "x86_64");
        WriteRelease();
        File.WriteAllText(Path.Combine(Release, "linux-x64", "libe_sqlite3.so"), "another library");

        var result = await InstallAsync("--from", Release, "--prefix", Prefix);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("checksum mismatch for linux-x64/libe_sqlite3.so", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Prefix));
    }

    [Fact]
    public async Task ABinaryMissingFromSha256Sums_IsRefused()
    {
        Machine("Linux", "x86_64");
        WriteRelease();
        var sums = Path.Combine(Release, "SHA256SUMS");
        File.WriteAllLines(sums, File.ReadAllLines(sums).Where(line => !line.EndsWith("  linux-x64/clawsharp", StringComparison.Ordinal)));

        var result = await InstallAsync("--from", Release, "--prefix", Prefix);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("linux-x64/clawsharp has no entry in", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Prefix));
    }

    [Fact]
    public async Task AnUnknownPlatform_IsRefused_NamingTheMachineAndTheBuildsThatExist()
    {
        Machine("FreeBSD", "amd64");
        WriteRelease();

        var result = await InstallAsync("--from", Release, "--prefix", Prefix);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no release build for this machine (FreeBSD amd64)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("linux-x64, linux-arm64 (64-bit Raspberry Pi OS) and osx-arm64", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Prefix));
    }

    [Fact]
    public async Task Help_ExitsZero_AndAnUnknownFlagIsAUsageError()
    {
        var help = await InstallAsync("--help");
        var bad = await InstallAsync("--frobnicate");

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Usage: scripts/install.sh [--from DIR] [--prefix DIR | --system]", help.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("unknown argument: --frobnicate", bad.Stderr, StringComparison.Ordinal);
    }

    private void Machine(string os, string arch) => uname.On("uname", "-s", 0, os + "\n").On("uname", "-m", 0, arch + "\n");

    /// <summary>
    /// A release in the agreed layout. The linux-x64 "binary" is a two-line script that execs this
    /// build's clawsharp, so the installed file really answers <c>--version</c>.
    /// </summary>
    private void WriteRelease()
    {
        Write("linux-x64/clawsharp", $"#!/bin/sh\nexec '{TestPaths.ClawSharpBinary}' \"$@\"\n");
        Write("linux-x64/libe_sqlite3.so", "library");
        Write("linux-arm64/clawsharp", "#!/bin/sh\necho arm64\n");
        Write("osx-arm64/clawsharp", "#!/bin/sh\necho osx\n");
        Write("win-x64/clawsharp.exe", "MZ");
        var lines = new[] { "linux-x64/clawsharp", "linux-x64/libe_sqlite3.so", "linux-arm64/clawsharp", "osx-arm64/clawsharp", "win-x64/clawsharp.exe" }
            .Select(f => $"{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Release, f))))}  {f}");
        File.WriteAllLines(Path.Combine(Release, "SHA256SUMS"), lines);
    }

    private void Write(string relative, string content)
    {
        var path = Path.Combine(Release, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private Task<CliResult> InstallAsync(params string[] args) => InstallAsync(args, uname.SearchPath);

    private Task<CliResult> InstallAsync(string[] args, string path) =>
        ScriptRun.RunAsync(Script, args, new Dictionary<string, string> { ["PATH"] = path, ["HOME"] = root });

    public void Dispose()
    {
        uname.Dispose();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

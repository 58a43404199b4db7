using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Release;

/// <summary>
/// The release binaries scripts/release.sh built (<see cref="ReleaseFolder"/>): the linux-x64 Native AOT
/// binary passes the development build's process smoke test and reports the script's version; the
/// linux-arm64 one runs under qemu-user-static; SHA256SUMS covers every file.
/// </summary>
public sealed class ReleaseBinaryTests
{
    [ReleaseFact]
    public async Task Linux_x64_aot_binary_reports_the_release_version_with_commit_and_build_date()
    {
        var version = await CliRun.RunProgramAsync(ReleaseFolder.Binary("linux-x64"), ["--version"]);

        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches($@"^clawsharp {ReleaseFolder.Version.Replace(".", @"\.", StringComparison.Ordinal)} \(commit [0-9a-f]{{7}}, built \d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}Z\)$",
            version.Stdout.Trim());
    }

    [ReleaseFact]
    public async Task Linux_x64_aot_binary_starts_is_ready_answers_health_and_exits_0_on_sigterm()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartProgramAsync(ReleaseFolder.Binary("linux-x64"), home, ["gateway", "run", "--port", "0"]);

        await AssertServesAsync(gateway, home);
        gateway.Signal(Posix.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync());
    }

    [ReleaseFact]
    public async Task Linux_arm64_aot_binary_runs_under_qemu_is_ready_answers_health_and_exits_0_on_sigterm()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartProgramAsync(ReleaseFolder.QemuLauncher, home,
            [ReleaseFolder.Binary("linux-arm64"), "gateway", "run", "--port", "0"]);

        await AssertServesAsync(gateway, home);
        var version = await CliRun.RunProgramAsync(ReleaseFolder.QemuLauncher, [ReleaseFolder.Binary("linux-arm64"), "--version"]);
        Assert.StartsWith($"clawsharp {ReleaseFolder.Version} (commit ", version.Stdout, StringComparison.Ordinal);
        gateway.Signal(Posix.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    [ReleaseFact]
    public async Task Status_of_this_cli_against_the_release_gateway_names_both_versions_and_binaries()
    {
        using var home = new TempHome();
        var release = ReleaseFolder.Binary("linux-x64");
        await using var gateway = await GatewayProcess.StartProgramAsync(release, home, ["gateway", "run", "--port", "0"]);

        var status = await CliRun.RunAsync(home, "gateway", "status");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains($"  gateway      clawsharp {ReleaseFolder.Version} (commit ", status.Stdout);
        Assert.Contains($"the running gateway is {ReleaseFolder.Version} ({release}), this CLI is {ClawSharp.Gateway.GatewayVersion.Current} ({TestPaths.ClawSharpBinary})",
            status.Stdout);
    }

    [ReleaseFact]
    public void Sha256sums_covers_every_file_with_paths_relative_to_the_version_folder()
    {
        var listed = File.ReadAllLines(Path.Combine(ReleaseFolder.Path!, "SHA256SUMS"))
            .Select(line => line.Split("  ", 2))
            .ToDictionary(parts => parts[1], parts => parts[0], StringComparer.Ordinal);
        var files = Directory.GetFiles(ReleaseFolder.Path!, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(ReleaseFolder.Path!, file))
            .Where(file => file != "SHA256SUMS")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Contains("linux-x64/clawsharp", files);
        Assert.Contains("linux-arm64/clawsharp", files);
        Assert.Equal(files, listed.Keys.Order(StringComparer.Ordinal));
        foreach (var file in files)
        {
            using var stream = File.OpenRead(Path.Combine(ReleaseFolder.Path!, file));
            Assert.Equal(listed[file], Convert.ToHexStringLower(SHA256.HashData(stream)));
        }
    }

    private static async Task AssertServesAsync(GatewayProcess gateway, TempHome home)
    {
        Assert.Equal(HttpStatusCode.OK, await gateway.StatusOfAsync("/readyz"));
        // health over the protocol, with this build's CLI.
        var health = await CliRun.RunAsync(home, "gateway", "call", "health");
        Assert.True(health.ExitCode == 0, health.ToString());
        var payload = JsonDocument.Parse(health.Stdout).RootElement;
        Assert.True(payload.GetProperty("ok").GetBoolean());
        Assert.Equal(ReleaseFolder.Version, payload.GetProperty("version").GetString());
    }
}

using System.Diagnostics;
using System.Text.Json;
using ClawSharp.Control.Update;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// <c>clawsharp update</c> on real processes: the dev build copied to a temp folder is the
/// "installed" binary; the new ones are a copy of its apphost in a fake release folder (with
/// SHA256SUMS), or shell scripts that exit at once or answer <c>--version</c> and never listen.
/// </summary>
public sealed class UpdateTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string root = Directory.CreateTempSubdirectory("clawsharp-update-").FullName;
    private readonly string installed;

    public UpdateTests()
    {
        var folder = Path.Combine(root, "installed");
        CopyFolder(Path.GetDirectoryName(TestPaths.ClawSharpBinary)!, folder);
        installed = Path.Combine(folder, "clawsharp");
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

    [Fact]
    public async Task UpdateToAGoodBuild_SwapsTheBinary_AndTheGatewayRunsIt_ServingThroughout()
    {
        using var home = new TempHome();
        var release = Release(null);
        var before = ReleaseSources.HashOf(installed);
        await using var gateway = GatewayProcess.Start(home, ClawSharpStartInfo.Create(installed, ["gateway", "run", "--port", "0", "--home", home.Root], null));
        await gateway.WaitForReadyAsync();
        var inodeBefore = Inode(installed);
        using var probes = new ConnectLoop(gateway.Port);
        await Eventually.AssertAsync(() => probes.Answered > 0, Deadline, "the connect loop to reach the gateway");

        var update = await RunInstalledAsync(home, "update", "--from", release, "--json");
        probes.Stop();

        Assert.True(update.ExitCode == 0, update.ToString());
        var json = JsonDocument.Parse(update.Stdout).RootElement;
        Assert.Equal("updated", json.GetProperty("result").GetString());
        Assert.Equal("gateway", json.GetProperty("managedBy").GetString());
        var pid = json.GetProperty("pid").GetInt32();
        try
        {
            Assert.NotEqual(gateway.Pid, pid);
            Assert.Equal(installed, new FileInfo($"/proc/{pid}/exe").LinkTarget);
            Assert.NotEqual(inodeBefore, Inode(installed));
            Assert.Equal(before, ReleaseSources.HashOf(installed + ".previous"));
            Assert.Equal(0, probes.Refused);
            Assert.False(File.Exists(home.State.UpdateFailedFile));
        }
        finally
        {
            await CliRun.RunAsync(home, "gateway", "stop");
        }
    }

    [Fact]
    public async Task BinaryThatExitsAtOnce_IsRefusedAtTheVersionCheck_NothingChanged()
    {
        using var home = new TempHome();
        var release = Release("#!/bin/sh\nexit 1\n"u8.ToArray());
        var before = ReleaseSources.HashOf(installed);

        var update = await RunInstalledAsync(home, "update", "--from", release, "--json");

        Assert.True(update.ExitCode == 1, update.ToString());
        var json = JsonDocument.Parse(update.Stdout).RootElement;
        Assert.Equal("refused", json.GetProperty("result").GetString());
        Assert.Contains("'--version' exited with code 1", json.GetProperty("error").GetString());
        Assert.Equal(before, ReleaseSources.HashOf(installed));
        Assert.False(File.Exists(installed + ".previous"));
    }

    [Fact]
    public async Task ChecksumMismatch_IsRefused_NothingChanged()
    {
        using var home = new TempHome();
        var release = Release(File.ReadAllBytes(installed), sums: new string('0', 64));
        var before = ReleaseSources.HashOf(installed);

        var update = await RunInstalledAsync(home, "update", "--from", release, "--json");

        Assert.True(update.ExitCode == 1, update.ToString());
        Assert.Contains("checksum mismatch", JsonDocument.Parse(update.Stdout).RootElement.GetProperty("error").GetString());
        Assert.Equal(before, ReleaseSources.HashOf(installed));
        Assert.False(File.Exists(installed + ".previous"));
    }

    [Fact]
    public async Task BinaryThatNeverListens_IsRolledBack_GatewayServesThroughout_AndStatusShowsIt()
    {
        using var home = new TempHome();
        var release = Release("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 9.9.9; exit 0; fi\nexec sleep 1000\n"u8.ToArray());
        var before = ReleaseSources.HashOf(installed);
        await using var gateway = GatewayProcess.Start(home, ClawSharpStartInfo.Create(installed, ["gateway", "run", "--port", "0", "--home", home.Root], null));
        await gateway.WaitForReadyAsync();
        using var probes = new ConnectLoop(gateway.Port);
        await Eventually.AssertAsync(() => probes.Answered > 0, Deadline, "the connect loop to reach the gateway");

        var update = await RunInstalledAsync(home, "update", "--from", release, "--json");
        var answered = probes.Answered;
        await Eventually.AssertAsync(() => probes.Answered > answered + 5, Deadline, "the connect loop to reach the gateway after the rollback");
        probes.Stop();

        Assert.True(update.ExitCode == 1, update.ToString());
        var json = JsonDocument.Parse(update.Stdout).RootElement;
        Assert.Equal("rolled-back", json.GetProperty("result").GetString());
        Assert.Equal(gateway.Pid, json.GetProperty("pid").GetInt32());
        Assert.Equal(before, ReleaseSources.HashOf(installed));
        Assert.Equal(0, probes.Refused);
        Assert.DoesNotContain(Process.GetProcessesByName("sleep"), p => CommandLine(p.Id).Contains("1000", StringComparison.Ordinal) && IsChildOf(p.Id, gateway.Pid));
        var status = await CliRun.RunAsync(home, "gateway", "status");
        Assert.Contains("update to 9.9.9 failed: not ready in 10 s; rolled back to ", status.Stdout);
    }

    [Fact]
    public async Task BareBinary_NeedsAChecksum_ThenRollbackGoesBack()
    {
        using var home = new TempHome();
        var script = Path.Combine(root, "bare-clawsharp");
        File.WriteAllText(script, "#!/bin/sh\necho 9.9.9\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        var before = ReleaseSources.HashOf(installed);

        var unverified = await CliRun.RunAsync(["update", "--from", script, "--target", installed, "--home", home.Root]);
        Assert.True(unverified.ExitCode == 1, unverified.ToString());
        Assert.Contains("--sha256", unverified.Stderr);

        var update = await CliRun.RunAsync(["update", "--from", script, "--sha256", ReleaseSources.HashOf(script), "--target", installed, "--home", home.Root, "--json"]);
        Assert.True(update.ExitCode == 0, update.ToString());
        var json = JsonDocument.Parse(update.Stdout).RootElement;
        Assert.Equal("replaced", json.GetProperty("result").GetString());
        Assert.Equal("9.9.9", json.GetProperty("to").GetString());
        Assert.Equal(ReleaseSources.HashOf(script), ReleaseSources.HashOf(installed));

        var rollback = await CliRun.RunAsync(["update", "--rollback", "--target", installed, "--home", home.Root, "--json"]);
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Equal(before, ReleaseSources.HashOf(installed));
        Assert.Equal(ReleaseSources.HashOf(script), ReleaseSources.HashOf(installed + ".previous"));
    }

    [Fact]
    public async Task AnUpdateOfAnotherCopyThanTheGatewayRuns_IsRefused_NothingChanged()
    {
        using var home = new TempHome();
        var release = Release(null);
        await using var gateway = GatewayProcess.Start(home, ClawSharpStartInfo.Create(installed, ["gateway", "run", "--port", "0", "--home", home.Root], null));
        await gateway.WaitForReadyAsync();
        var other = Path.Combine(root, "other");
        CopyFolder(Path.GetDirectoryName(TestPaths.ClawSharpBinary)!, other);
        var before = ReleaseSources.HashOf(Path.Combine(other, "clawsharp"));

        // This CLI is another copy: swapping it would restart the gateway onto the binary it already runs.
        var update = await CliRun.RunProgramAsync(Path.Combine(other, "clawsharp"), ["update", "--from", release, "--home", home.Root, "--json"]);

        Assert.Equal(1, update.ExitCode);
        var json = JsonDocument.Parse(update.Stdout).RootElement;
        Assert.Equal("refused", json.GetProperty("result").GetString());
        Assert.Contains($"runs {installed}", json.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, ReleaseSources.HashOf(Path.Combine(other, "clawsharp")));
        Assert.False(File.Exists(Path.Combine(other, "clawsharp.previous")));
        Assert.Equal(gateway.Pid, (await CliRun.CallAsync(home, "status")).GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task AnUpdateDuringALongRun_CapsTheDrainToItsOwnBudget_AndUpdates()
    {
        using var home = new TempHome();
        var release = Release(null);
        await using var gateway = GatewayProcess.Start(home, ClawSharpStartInfo.Create(installed, ["gateway", "run", "--port", "0", "--home", home.Root], null));
        await gateway.WaitForReadyAsync();
        Assert.Equal(0, (await CliRun.RunAsync(home, "send", "/delay 120000 hold", "--session", "long")).ExitCode);
        await Eventually.AssertAsync(async () => (await CliRun.CallAsync(home, "status")).GetProperty("work").GetProperty("activeRuns").GetInt32() == 1,
            Deadline, "the long run to be active");

        // Left to the gateway's 300 s deferral, the drain would outlast this 25 s budget and the update would be rolled back.
        var update = await RunInstalledAsync(home, "update", "--from", release, "--timeout", "25s", "--json");

        Assert.True(update.ExitCode == 0, update.ToString());
        var pid = JsonDocument.Parse(update.Stdout).RootElement.GetProperty("pid").GetInt32();
        Assert.NotEqual(gateway.Pid, pid);
        Gateway.Infrastructure.Posix.Kill(pid, Gateway.Infrastructure.Posix.SIGTERM);
        await Eventually.AssertAsync(() => !File.Exists($"/proc/{pid}/stat"), Deadline, "the updated gateway to stop");
    }

    [Fact]
    public async Task ATargetThatIsASymbolicLink_ReplacesTheFileItNames_AndKeepsTheLink()
    {
        using var home = new TempHome();
        var script = Path.Combine(root, "bare-clawsharp");
        File.WriteAllText(script, "#!/bin/sh\necho 9.9.9\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        var link = Path.Combine(root, "clawsharp-link");
        File.CreateSymbolicLink(link, installed);

        // Renaming over the link would replace the link, and the gateway (started through it, running the file) would restart onto the old binary.
        var update = await CliRun.RunAsync(["update", "--from", script, "--sha256", ReleaseSources.HashOf(script), "--target", link, "--home", home.Root, "--json"]);

        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.Equal(installed, JsonDocument.Parse(update.Stdout).RootElement.GetProperty("binary").GetString());
        Assert.Equal(installed, new FileInfo(link).LinkTarget);
        Assert.Equal(ReleaseSources.HashOf(script), ReleaseSources.HashOf(installed));
        Assert.True(File.Exists(installed + ".previous"));
    }

    [Fact]
    public async Task APreviousBinaryThatCannotBePutBack_IsAFailure_ThatNamesTheMvToRun()
    {
        using var home = new TempHome();
        // Started as the gateway's new process, it takes TARGET.previous away and never listens: the rollback cannot put it back.
        var release = Release("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 9.9.9; exit 0; fi\nrm -f \"$0.previous\"\nexec sleep 1000\n"u8.ToArray());
        await using var gateway = GatewayProcess.Start(home, ClawSharpStartInfo.Create(installed, ["gateway", "run", "--port", "0", "--home", home.Root], null));
        await gateway.WaitForReadyAsync();

        var update = await RunInstalledAsync(home, "update", "--from", release, "--json");

        Assert.True(update.ExitCode == 1, update.ToString());
        var json = JsonDocument.Parse(update.Stdout).RootElement;
        Assert.Equal("failed", json.GetProperty("result").GetString());
        Assert.Contains($"'mv {installed}.previous {installed}'", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsFile_IsTheRunningImage_EvenRenamedOver_NotTheNameItStartedFrom()
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, "image")).FullName;
        var tool = Path.Combine(folder, "tool");
        File.Copy("/bin/sleep", tool);
        File.SetUnixFileMode(tool, (UnixFileMode)0b111_101_101);
        using var process = Process.Start(tool, "1000");
        try
        {
            await Eventually.AssertAsync(() => GatewayUpdater.RunsFile(process.Id, tool, out var runs) && runs == tool, Deadline, "the process to run the tool");

            // An update: the running file is kept as a copy and another binary is renamed over it.
            File.Copy(tool, tool + ".previous");
            File.Copy("/bin/cat", tool + ".new");
            File.Move(tool + ".new", tool, overwrite: true);
            Assert.False(GatewayUpdater.RunsFile(process.Id, tool, out var deleted));
            Assert.Equal(tool + " (deleted)", deleted);

            // The rollback puts the copy back: the process runs that binary, though not that file.
            File.Move(tool + ".previous", tool, overwrite: true);
            Assert.True(GatewayUpdater.RunsFile(process.Id, tool, out _));
        }
        finally
        {
            process.Kill();
        }
    }

    [ClawSharp.Tests.Release.ReleaseFact]
    public async Task UpdateToTheReleaseBuild_ReportsItsVersion_ServingThroughout()
    {
        using var home = new TempHome();
        await using var gateway = GatewayProcess.Start(home, ClawSharpStartInfo.Create(installed, ["gateway", "run", "--port", "0", "--home", home.Root], null));
        await gateway.WaitForReadyAsync();
        using var probes = new ConnectLoop(gateway.Port);
        await Eventually.AssertAsync(() => probes.Answered > 0, Deadline, "the connect loop to reach the gateway");

        // The release folder of scripts/release.sh (a stamped version, the Native AOT build and its SQLite library).
        var update = await RunInstalledAsync(home, "update", "--from", ClawSharp.Tests.Release.ReleaseFolder.Path!, "--json");
        probes.Stop();

        Assert.True(update.ExitCode == 0, update.ToString());
        var pid = JsonDocument.Parse(update.Stdout).RootElement.GetProperty("pid").GetInt32();
        try
        {
            var status = await CliRun.CallAsync(home, "status");
            Assert.Equal(ClawSharp.Tests.Release.ReleaseFolder.Version, status.GetProperty("version").GetString());
            Assert.True(probes.Refused == 0, $"{probes.Refused} of {probes.Attempts} connections refused ({probes.FirstError})");
        }
        finally
        {
            Gateway.Infrastructure.Posix.Kill(pid, Gateway.Infrastructure.Posix.SIGTERM);
            await Eventually.AssertAsync(() => !File.Exists($"/proc/{pid}/stat"), Deadline, "the updated gateway to stop");
        }
    }

    /// <summary>A release folder <c>root/release-N/0.1.0/linux-x64/clawsharp</c> with SHA256SUMS (the real hash, or <paramref name="sums"/>).</summary>
    /// <param name="binary">The new binary; null: a whole copy of the dev build (the apphost needs its dlls beside it to answer --version).</param>
    private string Release(byte[]? binary, string? sums = null)
    {
        var version = Path.Combine(root, $"release-{Guid.NewGuid():N}", "0.1.0");
        var rid = ReleaseSources.CurrentRid();
        var path = Path.Combine(version, rid, "clawsharp");
        if (binary is null)
        {
            CopyFolder(Path.GetDirectoryName(TestPaths.ClawSharpBinary)!, Path.GetDirectoryName(path)!);
        }
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, binary);
        }
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(version, ReleaseSources.SumsFile), $"{sums ?? ReleaseSources.HashOf(path)}  {rid}/clawsharp\n");
        return version;
    }

    private async Task<CliResult> RunInstalledAsync(TempHome home, params string[] args)
    {
        var info = ClawSharpStartInfo.Create(installed, [.. args, "--home", home.Root], null);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static long Inode(string path) => new FileInfo(path).Exists ? Stat(path) : 0;

    private static long Stat(string path)
    {
        var output = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var text = output.StandardOutput.ReadToEnd();
        output.WaitForExit();
        return long.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string CommandLine(int pid) => File.Exists($"/proc/{pid}/cmdline") ? File.ReadAllText($"/proc/{pid}/cmdline") : "";

    private static bool IsChildOf(int pid, int parent) =>
        File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == parent.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void CopyFolder(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(to, Path.GetRelativePath(from, file));
            File.Copy(file, copy);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(copy, File.GetUnixFileMode(file));
            }
        }
    }
}

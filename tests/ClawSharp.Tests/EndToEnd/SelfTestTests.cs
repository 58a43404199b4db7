using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// <c>clawsharp selftest</c> as a process: the short chaos profile (every fault kind once, under
/// load) against the scratch gateway it makes for itself, and its refusal to go near a real state
/// directory.
/// </summary>
public sealed partial class SelfTestTests : IDisposable
{
    private readonly TempHome userHome = new();
    private readonly TempHome namedHome = new();

    public void Dispose()
    {
        userHome.Dispose();
        namedHome.Dispose();
    }

    [Fact]
    public async Task ShortProfile_EveryFaultKindUnderLoad_LosesNothing_DuplicatesNothing_AndLeavesNothingBehind()
    {
        // Nine cycles: each kind once (the seed only orders them), within CI's budget on 2 cores.
        var result = await CliRun.RunAsync(["selftest", "--faults", "9", "--seed", "20261126", "--json"], UserEnvironment(), TimeSpan.FromMinutes(4));

        Assert.True(result.ExitCode == 0, result.ToString());
        var report = JsonDocument.Parse(result.Stdout).RootElement;
        var summary = report.GetProperty("summary").GetString()!;
        var match = SummaryPattern().Match(summary);
        Assert.True(match.Success, summary);
        Assert.Equal("9", match.Groups["cycles"].Value);
        Assert.Equal(match.Groups["acked"].Value, match.Groups["answered"].Value);
        Assert.True(int.Parse(match.Groups["acked"].Value) > 0, summary);
        Assert.Equal("0", match.Groups["lost"].Value);
        Assert.Equal("0", match.Groups["duplicates"].Value);
        Assert.True(report.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal(0, report.GetProperty("unacked").GetInt32());
        Assert.Equal(0, report.GetProperty("leftoverProcesses").GetInt32());
        var faults = report.GetProperty("faults").EnumerateArray().Select(f => f.GetProperty("fault").GetString()!).Order(StringComparer.Ordinal);
        Assert.Equal(AllFaults.Order(StringComparer.Ordinal), faults);
        Assert.All(report.GetProperty("faults").EnumerateArray(), f => Assert.True(f.GetProperty("recovered").GetBoolean(), f.ToString()));

        var scratch = report.GetProperty("scratchDirectory").GetString()!;
        Assert.False(Directory.Exists(scratch), $"{scratch} was left behind");
        Assert.Empty(StrayProcesses.Find(scratch));
        AssertUntouched();
    }

    [Fact]
    public async Task CtrlC_MidRun_StopsEverythingItStarted_RemovesTheScratchDirectory_AndExits130()
    {
        var info = ClawSharpStartInfo.Create(["selftest", "--faults", "20", "--json"], UserEnvironment());
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stderr = new OutputLog();
        process.ErrorDataReceived += (_, e) => stderr.Add(e.Data);
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var scratch = ScratchPattern().Match(await stderr.WaitForAsync("scratch state directory", TimeSpan.FromSeconds(30))).Groups["dir"].Value;
        // The fragment that finds (and at the end kills) its processes: never empty, which would match every process.
        Assert.Contains("clawsharp-selftest-", scratch);
        try
        {
            // Mid-run: the gateway is up and the first fault has been applied.
            await stderr.WaitForAsync("fault 1/20", TimeSpan.FromSeconds(90));
            Assert.NotEmpty(StrayProcesses.Find(scratch));

            Posix.Kill(process.Id, Posix.SIGINT);

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
            Assert.Equal(130, process.ExitCode);
            Assert.False(JsonDocument.Parse(await stdout).RootElement.GetProperty("ok").GetBoolean());
            Assert.Empty(StrayProcesses.Find(scratch));
            Assert.False(Directory.Exists(scratch), $"{scratch} was left behind");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            StrayProcesses.Kill(scratch);
        }
    }

    [Theory]
    [InlineData("--home")]
    [InlineData("--profile")]
    public async Task AStateDirectoryOption_IsRefused_AsAUsageError_BeforeAnythingStarts(string option)
    {
        var target = option == "--home" ? Path.Combine(userHome.Root, "operator-home") : "operator";

        var human = await CliRun.RunAsync(["selftest", option, target], UserEnvironment());
        var json = await CliRun.RunAsync(["selftest", option, target, "--json"], UserEnvironment());

        Assert.Equal(2, human.ExitCode);
        Assert.Contains("scratch state directory of its own", human.Stderr);
        Assert.Equal(2, json.ExitCode);
        var document = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.False(document.GetProperty("ok").GetBoolean());
        Assert.Contains("--home/--profile", document.GetProperty("error").GetString());
        Assert.False(Directory.Exists(Path.Combine(userHome.Root, "operator-home")));
        AssertUntouched();
    }

    /// <summary>HOME and CLAWSHARP_HOME point at empty directories of this test: a run that used either would leave a state directory there.</summary>
    private Dictionary<string, string> UserEnvironment() => new()
    {
        ["HOME"] = userHome.Root,
        ["CLAWSHARP_HOME"] = namedHome.Root,
    };

    private void AssertUntouched()
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(userHome.Root, ".clawsharp*"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(namedHome.Root));
    }

    private static readonly string[] AllFaults =
        ["kill-9-gateway", "kill-9-supervisor", "sigterm-start", "sigusr1", "restart-safe", "restart-force", "restart-wait-1s", "broken-config", "read-only-logs"];

    [GeneratedRegex(@"scratch state directory (?<dir>\S+), port")]
    private static partial Regex ScratchPattern();

    [GeneratedRegex(@"^cycles=(?<cycles>\d+) acked=(?<acked>\d+) answered=(?<answered>\d+) lost=(?<lost>\d+) duplicates=(?<duplicates>\d+) max_recovery_ms=\d+$")]
    private static partial Regex SummaryPattern();
}

using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>What the suite's own processes leave behind on the machine that runs it.</summary>
public sealed class TestHygieneTests
{
    /// <summary>
    /// A .NET process removes its debugger pipes and diagnostics socket (TMPDIR, names holding
    /// its PID) only when it exits on its own; the suite kills many gateways with SIGKILL, and
    /// each left three entries in /tmp until <see cref="ClawSharpStartInfo"/> turned them off.
    /// </summary>
    [Fact]
    public async Task AGatewayKilledWithSigkill_LeavesNothingOfItsRuntimeInTmp()
    {
        // Entries an earlier process of the same PID left are not this gateway's.
        var earlier = RuntimeEntries().ToHashSet();
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        gateway.Signal(Posix.SIGKILL);
        await gateway.WaitForProcessExitAsync();

        var left = RuntimeEntries().Where(path => !earlier.Contains(path) && Path.GetFileName(path).Contains($"-{gateway.Pid}-", StringComparison.Ordinal)).ToList();
        Assert.True(left.Count == 0, $"left in {Path.GetTempPath()}: {string.Join(", ", left)}");
    }

    private static IEnumerable<string> RuntimeEntries() =>
        Directory.EnumerateFileSystemEntries(Path.GetTempPath(), "clr-debug-pipe-*")
            .Concat(Directory.EnumerateFileSystemEntries(Path.GetTempPath(), "dotnet-diagnostic-*"));
}

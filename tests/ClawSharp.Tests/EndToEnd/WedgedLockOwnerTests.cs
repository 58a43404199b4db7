using System.Text.Json;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// A lock owner that does not answer (stopped with SIGSTOP): a duplicate <c>gateway run</c> or
/// <c>gateway start</c> says so and exits 1 (never "already running"), and <c>--force</c> replaces it.
/// </summary>
public sealed class WedgedLockOwnerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static string Unresponsive(int pid) =>
        $"pid {pid} holds the lock but does not answer (/readyz timed out after 2 s); stop it, or start with --force to replace it";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DuplicateRun_OfAStoppedOwner_ExitsOne_AndSaysItDoesNotAnswer(bool supervised)
    {
        using var home = new TempHome();
        await using var owner = await GatewayProcess.StartGatewayAsync(home);
        using var stopped = await StoppedProcess.StopAsync(owner.Pid);

        await using var second = GatewayProcess.Start(home, ["gateway", "run", "--port", "0"],
            supervised ? new Dictionary<string, string> { ["CLAWSHARP_SUPERVISOR"] = "builtin" } : null);

        // 1 even when supervised: a supervisor retries with backoff, where 78 would give up beside a dead gateway.
        Assert.Equal(1, await second.WaitForExitAsync());
        Assert.Contains(Unresponsive(owner.Pid), second.Stderr.Text);
        Assert.DoesNotContain("already running", second.Stderr.Text);
        Assert.Equal(owner.Pid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
    }

    [Fact]
    public async Task Start_BesideAStoppedOwner_ExitsOne_AndSaysWhatRunSays()
    {
        using var home = new TempHome();
        await using var owner = await GatewayProcess.StartGatewayAsync(home);
        using var stopped = await StoppedProcess.StopAsync(owner.Pid);

        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0");

        Assert.True(start.ExitCode == 1, start.ToString());
        Assert.Contains(Unresponsive(owner.Pid), start.Stderr);
        Assert.Equal(owner.Pid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
    }

    [Fact]
    public async Task RunForce_ReplacesAStoppedOwner_WhichStopsGracefully()
    {
        using var home = new TempHome();
        await using var stale = await GatewayProcess.StartGatewayAsync(home);
        using var stopped = await StoppedProcess.StopAsync(stale.Pid);

        await using var forced = await GatewayProcess.StartGatewayAsync(home, ["--force"]);

        // Exit 0: SIGCONT let it act on SIGTERM; a SIGKILL after the 10 s grace would show as 137.
        Assert.Equal(0, await stale.WaitForExitAsync());
        Assert.Contains($"--force: stopping gateway pid {stale.Pid}", forced.Stderr.Text);
        Assert.DoesNotContain("sending SIGKILL", forced.Stderr.Text);
        Assert.Equal(forced.Pid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
        Assert.Equal(System.Net.HttpStatusCode.OK, await forced.StatusOfAsync("/readyz"));
    }

    [Fact]
    public async Task StartForce_ReplacesAStoppedOwner_WithASupervisedGateway()
    {
        using var home = new TempHome();
        await using var stale = await GatewayProcess.StartGatewayAsync(home);
        using var stopped = await StoppedProcess.StopAsync(stale.Pid);

        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0", "--force", "--json");

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal(0, await stale.WaitForExitAsync());
        var pid = JsonDocument.Parse(start.Stdout).RootElement.GetProperty("pid").GetInt32();
        Assert.NotEqual(stale.Pid, pid);
        Assert.Equal(pid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
        var stop = await CliRun.RunAsync(home, "gateway", "stop");
        Assert.True(stop.ExitCode == 0, stop.ToString());
    }

    [Fact]
    public async Task StartForce_LeavesASupervisedGatewayAlone()
    {
        using var home = new TempHome();
        var first = await CliRun.RunAsync(home, "gateway", "start", "--port", "0", "--json");
        Assert.True(first.ExitCode == 0, first.ToString());
        var pid = JsonDocument.Parse(first.Stdout).RootElement.GetProperty("pid").GetInt32();

        var forced = await CliRun.RunAsync(home, "gateway", "start", "--port", "0", "--force");

        Assert.True(forced.ExitCode == 1, forced.ToString());
        Assert.Contains("--force does not replace a supervised gateway", forced.Stderr);
        Assert.Equal(pid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
        var stop = await CliRun.RunAsync(home, "gateway", "stop");
        Assert.True(stop.ExitCode == 0, stop.ToString());
    }

    /// <summary>SIGSTOPs a process, and SIGCONTs it when disposed (a no-op once it is gone or continued).</summary>
    private sealed class StoppedProcess : IDisposable
    {
        private readonly ProcessIdentity identity;

        private StoppedProcess(ProcessIdentity identity) => this.identity = identity;

        /// <summary>SIGSTOPs <paramref name="pid"/> and waits until the kernel reports it stopped.</summary>
        public static async Task<StoppedProcess> StopAsync(int pid)
        {
            var stopped = new StoppedProcess(ProcessIdentity.Of(pid) ?? throw new InvalidOperationException($"pid {pid} is not running"));
            Posix.Kill(pid, SIGSTOP);
            await Eventually.AssertAsync(() => StateOf(pid) == 'T', Deadline, $"pid {pid} stopped");
            return stopped;
        }

        private static int SIGSTOP => OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 17 : 19;

        public void Dispose()
        {
            if (ProcessIdentity.Check(identity.Pid, identity.StartTime) == ProcessMatch.Same)
            {
                Posix.Kill(identity.Pid, Posix.SIGCONT);
            }
        }

        /// <summary>The state letter of /proc/PID/stat (T = stopped), or '?' when unreadable.</summary>
        private static char StateOf(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..][0];
            }
            catch (IOException)
            {
                return '?';
            }
        }
    }
}

using System.Net;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.ServiceManagers;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// A restart of a gateway that believes launchd runs it (<c>CLAWSHARP_SUPERVISOR=launchd</c>).
/// launchd cannot run here: a recording stand-in <c>launchctl</c> first on the gateway's PATH
/// takes the kickstart. It does not kill the gateway as launchd would, so success shows as the
/// exit 75 that follows the kickstart.
/// </summary>
public sealed class LaunchdKickstartTests
{
    private const string Label = "ai.clawsharp.gateway.test";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // gui/<uid>/<label>, or system/<label> where the tests run as root.
    private static readonly string Target = LaunchdTarget.Service(LaunchdTarget.OwnDomain(), Label);

    [Fact]
    public async Task Restart_UnderLaunchd_KickstartsItsOwnJob_ThenExits75_WithTheLockReleased()
    {
        using var home = new TempHome();
        using var launchctl = new RecordingStandIn().Add("launchctl");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: Environment(launchctl));

        var restart = await CliRun.RunAsync(home, "gateway", "restart", "--safe");

        Assert.True(restart.ExitCode == 0, restart.ToString());
        Assert.Equal(75, await gateway.WaitForExitAsync(Deadline));
        Assert.Equal([$"launchctl kickstart -k {Target}"], launchctl.Lines);
        Assert.Contains($"launchctl kickstart -k {Target}: launchd stops this process", gateway.Stdout.Text, StringComparison.Ordinal);
        Assert.Null(GatewayLock.ReadOwner(home.State.LockFile));
    }

    [Fact]
    public async Task Restart_UnderLaunchd_WhenTheKickstartFails_RestartsInProcess_AndLogsWhy()
    {
        using var home = new TempHome();
        using var launchctl = new RecordingStandIn().Add("launchctl")
            .On("launchctl", "kickstart", 113, stderr: "Could not find service \"ai.clawsharp.gateway.test\" in domain for user gui: 501");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: Environment(launchctl));

        var restart = await CliRun.RunAsync(home, "gateway", "restart");

        Assert.True(restart.ExitCode == 0, restart.ToString());
        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        await gateway.WaitForReadyAsync();
        Assert.Equal(HttpStatusCode.OK, await gateway.StatusOfAsync("/readyz"));
        Assert.Equal(gateway.Pid, GatewayLock.ReadOwner(home.State.LockFile)!.Pid);
        Assert.Contains($"launchctl kickstart -k {Target} failed (launchctl exited 113: Could not find service", gateway.Stderr.Text, StringComparison.Ordinal);
        Assert.Equal([$"launchctl kickstart -k {Target}"], launchctl.Lines);
    }

    private static Dictionary<string, string> Environment(RecordingStandIn launchctl) => new()
    {
        ["CLAWSHARP_SUPERVISOR"] = "launchd",
        ["CLAWSHARP_SERVICE_NAME"] = Label,
        ["PATH"] = launchctl.SearchPath,
    };
}

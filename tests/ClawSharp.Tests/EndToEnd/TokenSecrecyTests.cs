using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>Issue 21 item 7: a token never on a command line the gateway writes (respawn, supervisor), read from a private file or the environment.</summary>
public sealed class TokenSecrecyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const string Secret = "tok-3f9a1c7e5b2d4a6f8e0c";

    [Fact]
    public async Task TokenFile_KeepsTheTokenOffTheCommandLine_OfTheGatewayAndOfItsRespawnedSuccessor()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "cooldownMs": 0 } } }""");
        var tokenFile = WriteTokenFile(home);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, ["--token-file", tokenFile]);

        Assert.DoesNotContain(Secret, CommandLine(gateway.Pid));
        await AssertHealthAsync(home, "--token-file", tokenFile);
        // This home's CLI finds the token file through the lock: no flag needed.
        await AssertHealthAsync(home);
        gateway.Signal(Posix.SIGUSR1);
        Assert.Equal(0, await gateway.WaitForProcessExitAsync(Deadline));
        var successor = gateway.LiveLockOwner;
        Assert.True(successor is not null, gateway.AllOutput);
        Assert.DoesNotContain(Secret, CommandLine(successor.Pid));
        Assert.Contains("--token-file", CommandLine(successor.Pid));
        await AssertHealthAsync(home, "--token-file", tokenFile);
    }

    [Theory]
    [InlineData("--token", Secret)]
    [InlineData("--token:" + Secret, null)]
    [InlineData("--token=" + Secret, null)]
    public async Task TokenOnTheCommandLine_Warns_AndIsNeverCopiedIntoTheRespawnedSuccessorsArguments(string flag, string? value)
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "cooldownMs": 0 } } }""");
        string[] args = value is null ? [flag] : [flag, value];
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, args);
        Assert.Contains("--token-file", await gateway.Stderr.WaitForAsync("shows it to every user", Deadline));

        gateway.Signal(Posix.SIGUSR1);

        Assert.Equal(0, await gateway.WaitForProcessExitAsync(Deadline));
        var successor = gateway.LiveLockOwner;
        Assert.True(successor is not null, gateway.AllOutput);
        Assert.DoesNotContain(Secret, CommandLine(successor.Pid));
        // The successor still enforces that token: it came through its environment.
        await AssertHealthAsync(home, "--token", Secret);
        var wrong = await CliRun.RunAsync(home, "gateway", "call", "health", "--token", "some-other-token-value");
        Assert.NotEqual(0, wrong.ExitCode);
    }

    [Fact]
    public async Task TokenFromTheEnvironment_IsEnforced_AndNotOnTheCommandLine()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: new Dictionary<string, string> { [TokenArguments.EnvironmentVariable] = Secret });

        Assert.DoesNotContain(Secret, CommandLine(gateway.Pid));
        await AssertHealthAsync(home, "--token", Secret);
    }

    [Fact]
    public async Task ATokenFileOthersCanRead_IsRefused_SayingHowToFixIt()
    {
        using var home = new TempHome();
        var tokenFile = WriteTokenFile(home);
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var run = await CliRun.RunAsync(home, "gateway", "run", "--port", "0", "--token-file", tokenFile);

        Assert.Equal(78, run.ExitCode);
        Assert.Contains($"has mode 0644", run.Stderr);
        Assert.Contains($"chmod 600 {tokenFile}", run.Stderr);
        Assert.DoesNotContain(Secret, run.Stderr);
    }

    [Fact]
    public async Task GatewayStart_WithATokenFile_PassesThePathNeverTheToken_ToTheSupervisorAndTheGateway()
    {
        using var home = new TempHome();
        var tokenFile = WriteTokenFile(home);
        try
        {
            var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0", "--token-file", tokenFile);
            Assert.True(start.ExitCode == 0, start.ToString());
            var status = JsonDocument.Parse((await CliRun.RunAsync(home, "gateway", "status", "--json")).Stdout).RootElement;
            var gatewayPid = status.GetProperty("pid").GetInt32();
            var supervisorPid = ((ClawSharp.Daemon.DaemonStateRead.Found)ClawSharp.Daemon.DaemonStateFile.Read(home.State)).State.SupervisorPid;

            Assert.DoesNotContain(Secret, CommandLine(gatewayPid));
            Assert.DoesNotContain(Secret, CommandLine(supervisorPid));
            Assert.Contains(tokenFile, CommandLine(gatewayPid));
            Assert.DoesNotContain(Secret, File.ReadAllText(home.State.SupervisorLogFile));
            await AssertHealthAsync(home, "--token-file", tokenFile);
            // A restart waits for the new generation with the home's credential: the token file the lock records.
            var restart = await CliRun.RunAsync(home, "gateway", "restart", "--timeout", "60s");
            Assert.True(restart.ExitCode == 0, restart.ToString());
            await AssertHealthAsync(home);
        }
        finally
        {
            await CliRun.RunAsync(home, "gateway", "stop");
        }
    }

    private static string WriteTokenFile(TempHome home)
    {
        var path = Path.Combine(home.Root, "secret-token");
        File.WriteAllText(path, Secret + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private static string CommandLine(int pid) => ProcessIdentity.CommandLine(pid) ?? throw new InvalidOperationException($"pid {pid} is gone");

    private static async Task AssertHealthAsync(TempHome home, params string[] credential)
    {
        var health = await CliRun.RunAsync(home, ["gateway", "call", "health", .. credential]);
        Assert.True(health.ExitCode == 0, health.ToString());
    }
}

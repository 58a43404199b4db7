using System.Diagnostics;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>Issue 21 item 10: a home's token goes to that home's gateway only, and no credential goes over plain ws:// to another machine.</summary>
public sealed class CredentialDestinationTests
{
    [Fact]
    public async Task TheHomesToken_IsNotSentToAnotherHomesGateway_GivenByUrl()
    {
        using var mine = new TempHome();
        using var theirs = new TempHome();
        await using var myGateway = await GatewayProcess.StartGatewayAsync(mine);
        await using var theirGateway = await GatewayProcess.StartGatewayAsync(theirs);

        var own = await CliRun.RunAsync(mine, "gateway", "call", "health", "--url", $"ws://127.0.0.1:{myGateway.Port}");
        var other = await CliRun.RunAsync(mine, "gateway", "call", "health", "--url", $"ws://127.0.0.1:{theirGateway.Port}");

        Assert.True(own.ExitCode == 0, own.ToString());
        Assert.NotEqual(0, other.ExitCode);
        // Not "mismatch": the other gateway was sent no token at all.
        Assert.Contains("token missing", other.Stderr);
        Assert.Contains("--token-file", other.Stderr);
        await theirGateway.Stderr.WaitForAsync("token missing", TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("token mismatch", theirGateway.Stderr.Text);
    }

    [Theory]
    [InlineData("--token", "an-explicit-token-value")]
    [InlineData(null, null)]
    public async Task ACredential_IsNeverSentOverPlainWs_ToAnotherMachine(string? flag, string? value)
    {
        using var home = new TempHome();
        // 192.0.2.1 (TEST-NET-1) is nobody's: a connection attempt would hang until the timeout.
        var url = "ws://192.0.2.1:18790";
        string[] args = ["gateway", "call", "health", "--url", url, "--timeout", "20s", .. flag is null ? new[] { "--password-file", PasswordFile(home) } : [flag, value!]];
        var watch = Stopwatch.StartNew();

        var call = await CliRun.RunAsync(home, args);

        Assert.Equal(2, call.ExitCode);
        Assert.Contains("refusing to send a credential over plain ws:// to 192.0.2.1", call.Stderr);
        Assert.Contains("wss://192.0.2.1:18790", call.Stderr);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), "it refused before trying to connect");
    }

    private static string PasswordFile(TempHome home)
    {
        var path = Path.Combine(home.Root, "password");
        File.WriteAllText(path, "a-password-of-some-length\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}

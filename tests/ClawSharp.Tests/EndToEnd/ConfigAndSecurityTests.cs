using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

public sealed class ConfigAndSecurityTests
{
    [Theory]
    [InlineData("""{ "gateway": { "port": 70000 } }""", "gateway.port must be an integer from 0 to 65535, got 70000")]
    [InlineData("""{ "gateway": { "bind": "not-an-address" } }""", "gateway.bind must be an IP address or 'loopback', got \"not-an-address\"")]
    [InlineData("""{ "gateway": { "auth": { "mode": "magic" } } }""", "gateway.auth.mode must be one of token, password, none")]
    [InlineData("""{ "logs": { "maxFileBytes": 10 } }""", "logs.maxFileBytes must be a byte count ≥ 1024, got 10")]
    [InlineData("""{ "gateway": 5 }""", "gateway must be an object")]
    [InlineData("""{ "gateway": """, "is not valid JSON")]
    [InlineData("""{ "gateway": { "port": 0, "port": 18790 } }""", "Duplicate property 'port'")]
    public async Task InvalidConfig_StopsTheStart_WithExit78_NamingKeyAndFile(string config, string expected)
    {
        using var home = new TempHome();
        home.WriteConfig(config);

        var result = await CliRun.RunAsync(home, "gateway", "run", "--port", "0");

        Assert.Equal(78, result.ExitCode);
        Assert.Contains(expected, result.Stderr);
        Assert.Contains(home.State.ConfigFile, result.Stderr);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task UnknownConfigKeys_AreWarnedAbout_AndTheGatewayStarts()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "prot": 1 }, "extras": true }""");

        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        Assert.Contains($"unknown config key 'gateway.prot' in {home.State.ConfigFile} (ignored)", gateway.Stderr.Text);
        Assert.Contains("unknown config key 'extras'", gateway.Stderr.Text);
    }

    [Theory]
    [InlineData("token")]
    [InlineData("gateway.lock")]
    [InlineData("state.db")]
    [InlineData("config.json")]
    public async Task ADirectoryWhereTheGatewayKeepsAFile_StopsRunAndStart_WithExit78_NamingIt(string file)
    {
        using var home = new TempHome();
        Directory.CreateDirectory(home.PathOf(file));

        var run = await CliRun.RunAsync(home, "gateway", "run", "--port", "0");
        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0", "--json");
        try
        {
            Assert.True(run.ExitCode == 78, run.ToString());
            Assert.Contains($"{home.PathOf(file)} is a directory", run.Stderr);
            Assert.True(start.ExitCode == 78, start.ToString());
            Assert.Contains($"{home.PathOf(file)} is a directory", System.Text.Json.JsonDocument.Parse(start.Stdout).RootElement.GetProperty("error").GetString());
            if (file == "config.json")
            {
                var validate = await CliRun.RunAsync(home, "config", "validate");
                Assert.True(validate.ExitCode != 0 && validate.Stderr.Contains("is a directory, not the config file", StringComparison.Ordinal), validate.ToString());
            }
        }
        finally
        {
            await CliRun.RunAsync(home, "gateway", "stop");
        }
    }

    [Fact]
    public async Task UnknownConfigKeys_AreNamedByGatewayStart_NotOnlyInTheLog()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "portt": 5 } }""");

        var start = await CliRun.RunAsync(home, "gateway", "start", "--port", "0", "--json");
        try
        {
            Assert.True(start.ExitCode == 0, start.ToString());
            var warnings = System.Text.Json.JsonDocument.Parse(start.Stdout).RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ToList();
            Assert.Contains(warnings, w => w!.Contains("unknown config key 'gateway.portt'", StringComparison.Ordinal));
        }
        finally
        {
            await CliRun.RunAsync(home, "gateway", "stop");
        }
    }

    [Fact]
    public async Task NonLoopbackBind_WithoutAuth_IsRefused()
    {
        using var home = new TempHome();

        var result = await CliRun.RunAsync(home, "gateway", "run", "--port", "0", "--bind", "0.0.0.0", "--auth", "none");

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("refusing to bind 0.0.0.0 without auth", result.Stderr);
    }

    [Fact]
    public async Task FirstRun_GeneratesAPrivateToken_InAPrivateStateDirectory()
    {
        using var home = new TempHome();
        Directory.Delete(home.Root);

        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var state = home.State;
        var root = home.Root;

        Assert.Equal(StateDirectory.PrivateDirectoryMode, File.GetUnixFileMode(root));
        Assert.Equal(AtomicFile.PrivateFileMode, File.GetUnixFileMode(state.TokenFile));
        Assert.Equal(AtomicFile.PrivateFileMode, File.GetUnixFileMode(state.LockFile));
        Assert.Equal(AtomicFile.PrivateFileMode, File.GetUnixFileMode(state.LogFile));
        Assert.True(TokenStore.TryRead(state)!.Length >= 40);
    }

    [Fact]
    public async Task AShortTokenFile_StopsTheStart_WithExit78_NamingTheFile_AndIsLeftAsItIs()
    {
        using var home = new TempHome();
        home.State.EnsureCreated();
        File.WriteAllText(home.State.TokenFile, "garbage{\n");

        var result = await CliRun.RunAsync(home, "gateway", "run", "--port", "0");

        Assert.True(result.ExitCode == 78, result.ToString());
        Assert.Contains($"the token file {home.State.TokenFile} holds 8 character(s); a token needs at least 16", result.Stderr);
        Assert.Equal("garbage{\n", File.ReadAllText(home.State.TokenFile));
    }

    [Fact]
    public async Task TokenFlag_WinsForThatRun_AndDoesNotRewriteTheTokenFile()
    {
        using var home = new TempHome();
        File.WriteAllText(home.State.TokenFile, "file-token-0123456789\n");

        await using var gateway = await GatewayProcess.StartGatewayAsync(home, ["--token", "flag-token-0123456789"]);

        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, "flag-token-0123456789");
        await client.DisposeAsync();
        Assert.Equal("file-token-0123456789\n", File.ReadAllText(home.State.TokenFile));
    }

    [Fact]
    public async Task PasswordFile_EnablesPasswordAuth()
    {
        using var home = new TempHome();
        var passwordFile = home.PathOf("password.txt");
        File.WriteAllText(passwordFile, "s3cret\n");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, ["--password-file", passwordFile]);

        var ok = await CliRun.RunAsync(home, "gateway", "call", "health", "--password-file", passwordFile);
        var wrongFile = home.PathOf("wrong.txt");
        File.WriteAllText(wrongFile, "nope");
        var refused = await CliRun.RunAsync(home, "gateway", "call", "health", "--password-file", wrongFile);

        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("unauthorized: gateway password mismatch", refused.Stderr);
    }
}

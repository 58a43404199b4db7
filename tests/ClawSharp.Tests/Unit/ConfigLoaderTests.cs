using System.Net;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;
using Serilog.Events;

namespace ClawSharp.Tests.Unit;

public sealed class ConfigLoaderTests : IDisposable
{
    private readonly TempHome home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public void MissingConfig_MeansDefaults()
    {
        var config = ConfigLoader.Load(home.State);

        Assert.Equal(18790, config.Gateway.Port);
        Assert.Equal(IPAddress.Loopback, config.Gateway.Bind);
        Assert.Equal(AuthMode.Token, config.Gateway.AuthMode);
        Assert.Null(config.Gateway.Token);
        Assert.Equal(100L * 1024 * 1024, config.Logs.MaxFileBytes);
        Assert.Equal(3, config.Logs.MaxBackups);
        Assert.Equal(LogEventLevel.Information, config.Logs.Level);
        Assert.Equal(TimeSpan.FromSeconds(25), config.Shutdown.StopTimeout);
        Assert.True(config.Restart.Enabled);
        Assert.Equal(TimeSpan.FromMinutes(5), config.Restart.DeferralTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Restart.SpawnReadyTimeout);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void EveryKnownKey_IsRead()
    {
        home.WriteConfig("""
            // comments and trailing commas are fine
            {
              "gateway": {
                "port": 4321, "bind": "0.0.0.0",
                "auth": { "mode": "password", "password": "pw", "token": "tk-0123456789abcdef",
                          "tokens": [ { "name": "dashboard-ro", "token": "ro-0123456789abcdef", "scopes": ["operator.read"] } ],
                          "noneScopes": ["operator.read", "operator.write"] },
                "allowedOrigins": ["https://Dash.Example:8443/", "http://dash.example:80"],
                "reload": { "mode": "restart", "deferralTimeoutMs": 0, "spawnReadyTimeoutMs": 1500 },
              },
              "commands": { "restart": false },
              "logs": { "maxFileBytes": 4096, "maxBackups": 7, "level": "debug" },
              "shutdown": { "timeoutMs": 1234, "drainTimeoutMs": 0 },
              "daemon": { "backoffMs": 250, "backoffMaxMs": 8000, "crashLimit": 5, "crashWindowMs": 60000, "startTimeoutMs": 3000 }
            }
            """);

        var config = ConfigLoader.Load(home.State);

        Assert.Equal(4321, config.Gateway.Port);
        Assert.Equal(IPAddress.Any, config.Gateway.Bind);
        Assert.Equal(AuthMode.Password, config.Gateway.AuthMode);
        Assert.Equal("pw", config.Gateway.Password);
        Assert.Equal("tk-0123456789abcdef", config.Gateway.Token);
        var named = Assert.Single(config.Gateway.Tokens);
        Assert.Equal(("dashboard-ro", "ro-0123456789abcdef"), (named.Name, named.Token));
        Assert.Equal(["operator.read"], named.Scopes);
        Assert.Equal(["operator.read", "operator.write"], config.Gateway.NoneScopes.Order());
        Assert.Equal(["https://dash.example:8443", "http://dash.example"], config.Gateway.AllowedOrigins);
        Assert.Equal("restart", config.Restart.ReloadMode);
        Assert.Equal(Timeout.InfiniteTimeSpan, config.Restart.DeferralTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.Restart.SpawnReadyTimeout);
        Assert.False(config.Restart.Enabled);
        Assert.Equal(4096, config.Logs.MaxFileBytes);
        Assert.Equal(7, config.Logs.MaxBackups);
        Assert.Equal(LogEventLevel.Debug, config.Logs.Level);
        Assert.Equal(TimeSpan.FromMilliseconds(1234), config.Shutdown.StopTimeout);
        Assert.Equal(TimeSpan.Zero, config.Shutdown.DrainTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), config.Daemon.InitialBackoff);
        Assert.Equal(TimeSpan.FromMilliseconds(8000), config.Daemon.MaxBackoff);
        Assert.Equal(5, config.Daemon.CrashLimit);
        Assert.Equal(TimeSpan.FromMinutes(1), config.Daemon.CrashWindow);
        Assert.Equal(TimeSpan.FromSeconds(3), config.Daemon.StartTimeout);
    }

    [Fact]
    public void Webhooks_AreRead_AndDefaultToPublicAddressesOnly()
    {
        var defaults = ConfigLoader.Load(home.State).Webhooks;
        Assert.Equal(TimeSpan.FromSeconds(10), defaults.Timeout);
        Assert.Equal(12, defaults.MaxAttempts);
        Assert.Equal(TimeSpan.FromHours(1), defaults.MaxAge);
        Assert.Equal(16, defaults.MaxConcurrentDeliveries);
        Assert.Empty(defaults.AllowedHosts);
        Assert.False(defaults.AllowLoopback);
        Assert.False(defaults.AllowPrivateNetworks);

        home.WriteConfig("""
            { "webhooks": { "timeoutMs": 1500, "maxAttempts": 3, "maxAgeMs": 60000, "maxConcurrentDeliveries": 4,
                            "allowedHosts": ["Hooks.Example.com", "10.0.0.7"], "allowLoopback": true, "allowPrivateNetworks": true } }
            """);
        var config = ConfigLoader.Load(home.State);

        Assert.Empty(config.Warnings);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.Webhooks.Timeout);
        Assert.Equal(3, config.Webhooks.MaxAttempts);
        Assert.Equal(TimeSpan.FromMinutes(1), config.Webhooks.MaxAge);
        Assert.Equal(4, config.Webhooks.MaxConcurrentDeliveries);
        Assert.Equal(["hooks.example.com", "10.0.0.7"], config.Webhooks.AllowedHosts);
        Assert.True(config.Webhooks.AllowLoopback);
        Assert.True(config.Webhooks.AllowPrivateNetworks);
    }

    [Fact]
    public void UnknownKeys_AreWarnings_NamingKeyAndFile()
    {
        home.WriteConfig("""{ "gateway": { "prot": 1, "auth": { "tokn": "x" } }, "extras": {} }""");

        var config = ConfigLoader.Load(home.State);

        Assert.Equal(
            [
                $"unknown config key 'gateway.prot' in {home.State.ConfigFile} (ignored)",
                $"unknown config key 'gateway.auth.tokn' in {home.State.ConfigFile} (ignored)",
                $"unknown config key 'extras' in {home.State.ConfigFile} (ignored)",
            ],
            config.Warnings);
    }

    [Theory]
    [InlineData("""{"gateway":{"port":70000}}""", "gateway.port must be an integer from 0 to 65535, got 70000")]
    [InlineData("""{"gateway":{"port":"80"}}""", "gateway.port must be an integer from 0 to 65535, got \"80\"")]
    [InlineData("""{"gateway":{"bind":"5"}}""", "gateway.bind must be an IP address or 'loopback', got \"5\"")]
    [InlineData("""{"gateway":{"auth":{"token":""}}}""", "gateway.auth.token must be a non-empty string")]
    [InlineData("""{"gateway":{"auth":{"token":"short-token"}}}""", "gateway.auth.token must be at least 16 characters, got 11")]
    [InlineData("""{"gateway":{"auth":{"noneScopes":["operator.admin"]}}}""", "gateway.auth.noneScopes must not hold operator.admin")]
    [InlineData("""{"gateway":{"auth":{"noneScopes":["operator.reed"]}}}""", "gateway.auth.noneScopes must be an array of operator.read, operator.write, got \"operator.reed\"")]
    [InlineData("""{"gateway":{"auth":{"tokens":{}}}}""", "gateway.auth.tokens must be an array of")]
    [InlineData("""{"gateway":{"auth":{"tokens":[{"name":"a","token":"0123456789abcdef"}]}}}""", "gateway.auth.tokens[0] needs name, token and scopes")]
    [InlineData("""{"gateway":{"auth":{"tokens":[{"name":"a","token":"0123456789abcde","scopes":[]}]}}}""", "gateway.auth.tokens[0].token must be at least 16 characters, got 15")]
    [InlineData("""{"gateway":{"auth":{"tokens":[{"name":"a b","token":"0123456789abcdef","scopes":[]}]}}}""", "gateway.auth.tokens[0].name must be 1 to 64 characters")]
    [InlineData("""{"gateway":{"auth":{"tokens":[{"name":"owner","token":"0123456789abcdef","scopes":[]}]}}}""", "gateway.auth.tokens[0].name must not be \"owner\"")]
    [InlineData("""{"gateway":{"auth":{"tokens":[{"name":"a","token":"0123456789abcdef","scopes":["operator.root"]}]}}}""", "gateway.auth.tokens[0].scopes must be an array of operator.read, operator.write, operator.admin")]
    [InlineData("""{"gateway":{"auth":{"tokens":[{"name":"a","token":"0123456789abcdef","scopes":[]},{"name":"a","token":"0123456789abcdeg","scopes":[]}]}}}""", "gateway.auth.tokens[1].name repeats the name \"a\"")]
    [InlineData("""{"gateway":{"auth":{"tokens":[{"name":"a","token":"0123456789abcdef","scopes":[]},{"name":"b","token":"0123456789abcdef","scopes":[]}]}}}""", "gateway.auth.tokens[1].token is the same as the token of \"a\"")]
    [InlineData("""{"gateway":{"auth":{"token":"0123456789abcdef","tokens":[{"name":"a","token":"0123456789abcdef","scopes":[]}]}}}""", "gateway.auth.tokens[0].token is the owner's secret (gateway.auth.token)")]
    [InlineData("""{"gateway":{"allowedOrigins":["https://dash.example/app"]}}""", "gateway.allowedOrigins must be an array of web origins")]
    [InlineData("""{"gateway":{"allowedOrigins":["null"]}}""", "gateway.allowedOrigins must be an array of web origins")]
    [InlineData("""{"commands":{"restart":"yes"}}""", "commands.restart must be true or false")]
    [InlineData("""{"logs":{"level":"loud"}}""", "logs.level must be one of trace, debug, info, warn, error, fatal")]
    [InlineData("""{"shutdown":{"timeoutMs":0}}""", "shutdown.timeoutMs must be a number of milliseconds from 1 to 3600000")]
    [InlineData("""{"shutdown":{"drainTimeoutMs":-1}}""", "shutdown.drainTimeoutMs must be a number of milliseconds from 0 (no drain) to 3600000, got -1")]
    [InlineData("""{"gateway":{"reload":{"spawnReadyTimeoutMs":0}}}""", "gateway.reload.spawnReadyTimeoutMs must be a number of milliseconds from 1 to 600000, got 0")]
    [InlineData("""{"daemon":{"backoffMs":0}}""", "daemon.backoffMs must be a number of milliseconds from 1 to 3600000, got 0")]
    [InlineData("""{"daemon":{"crashLimit":-1}}""", "daemon.crashLimit must be an integer from 0 to 1000, got -1")]
    [InlineData("""{"daemon":7}""", "daemon must be an object")]
    [InlineData("""{"webhooks":{"maxAttempts":0}}""", "webhooks.maxAttempts must be an integer from 1 to 1000, got 0")]
    [InlineData("""{"webhooks":{"allowedHosts":"example.com"}}""", "webhooks.allowedHosts must be an array of host names")]
    [InlineData("""{"webhooks":{"allowedHosts":["http://example.com/x"]}}""", "webhooks.allowedHosts must be an array of host names (no scheme, port or path), got \"http://example.com/x\"")]
    [InlineData("""{"webhooks":{"allowLoopback":"yes"}}""", "webhooks.allowLoopback must be true or false")]
    [InlineData("""{"agents":{"exec":{"maxReplyBytes":10}}}""", "agents.exec.maxReplyBytes must be a byte count from 1024 to 1073741824, got 10")]
    [InlineData("""{"tasks":{"maxOutputBytes":"64k"}}""", "tasks.maxOutputBytes must be a byte count from 1024 to 1073741824, got \"64k\"")]
    [InlineData("""{"agents":{"exec":{"environment":"PATH"}}}""", "agents.exec.environment must be an array of environment variable names")]
    [InlineData("""{"tasks":{"environment":["PATH","A=B"]}}""", "tasks.environment must be an array of environment variable names (letters, digits, '_'; a trailing '*' matches a prefix), got \"A=B\"")]
    [InlineData("""[1]""", "must hold a JSON object")]
    public void InvalidValues_Throw_NamingKeyAndFile(string json, string expected)
    {
        home.WriteConfig(json);

        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(home.State));

        Assert.Contains(expected, error.Message);
        Assert.Contains(home.State.ConfigFile, error.Message);
    }

    [Fact]
    public void CommandLineOverrides_WinOverTheFile()
    {
        home.WriteConfig("""{"gateway":{"port":1111,"auth":{"token":"file-token-0123456789"}}}""");

        var config = ConfigLoader.Load(home.State, new ConfigOverrides { Port = 2222, Token = "flag-token-0123456789", Bind = IPAddress.IPv6Loopback });

        Assert.Equal(2222, config.Gateway.Port);
        Assert.Equal("flag-token-0123456789", config.Gateway.Token);
        Assert.Equal(IPAddress.IPv6Loopback, config.Gateway.Bind);
    }

    [Fact]
    public void NonLoopbackBind_WithAuthNone_IsRefused_ButLoopbackIsAllowed()
    {
        Assert.Throws<ConfigException>(() => ConfigLoader.Load(home.State, new ConfigOverrides { Bind = IPAddress.Any, AuthMode = AuthMode.None }));
        Assert.Equal(AuthMode.None, ConfigLoader.Load(home.State, new ConfigOverrides { AuthMode = AuthMode.None }).Gateway.AuthMode);
    }

    [Fact]
    public void PasswordMode_WithoutAPassword_IsRefused()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(home.State, new ConfigOverrides { AuthMode = AuthMode.Password }));
        Assert.Contains("--password-file", error.Message);
    }

    [Fact]
    public void PasswordFile_IsReadAndImpliesPasswordMode()
    {
        var file = home.PathOf("pw");
        File.WriteAllText(file, " hunter2 \n");

        var config = ConfigLoader.Load(home.State, new ConfigOverrides { PasswordFile = file });

        Assert.Equal(AuthMode.Password, config.Gateway.AuthMode);
        Assert.Equal("hunter2", config.Gateway.Password);
    }

    [Fact]
    public void AShortTokenFlag_IsRefused_NamingTheFlag_WithoutQuotingTheSecret()
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(home.State, new ConfigOverrides { Token = "flag-token" }));

        Assert.Equal("--token", error.Key);
        Assert.StartsWith("--token must be at least 16 characters, got 10", error.Message);
        Assert.DoesNotContain("flag-token", error.Message);
    }

    [Fact]
    public void AuthDefaults_NoExtraTokens_ReadOnlyWithoutAuth_NoForeignOrigins()
    {
        var gateway = ConfigLoader.Load(home.State).Gateway;

        Assert.Empty(gateway.Tokens);
        Assert.Equal(["operator.read"], gateway.NoneScopes);
        Assert.Empty(gateway.AllowedOrigins);
    }
}

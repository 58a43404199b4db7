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
                "auth": { "mode": "password", "password": "pw", "token": "tk" },
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
        Assert.Equal("tk", config.Gateway.Token);
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
    [InlineData("""{"commands":{"restart":"yes"}}""", "commands.restart must be true or false")]
    [InlineData("""{"logs":{"level":"loud"}}""", "logs.level must be one of trace, debug, info, warn, error, fatal")]
    [InlineData("""{"shutdown":{"timeoutMs":0}}""", "shutdown.timeoutMs must be a number of milliseconds from 1 to 3600000")]
    [InlineData("""{"shutdown":{"drainTimeoutMs":-1}}""", "shutdown.drainTimeoutMs must be a number of milliseconds from 0 (no drain) to 3600000, got -1")]
    [InlineData("""{"gateway":{"reload":{"spawnReadyTimeoutMs":0}}}""", "gateway.reload.spawnReadyTimeoutMs must be a number of milliseconds from 1 to 600000, got 0")]
    [InlineData("""{"daemon":{"backoffMs":0}}""", "daemon.backoffMs must be a number of milliseconds from 1 to 3600000, got 0")]
    [InlineData("""{"daemon":{"crashLimit":-1}}""", "daemon.crashLimit must be an integer from 0 to 1000, got -1")]
    [InlineData("""{"daemon":7}""", "daemon must be an object")]
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
        home.WriteConfig("""{"gateway":{"port":1111,"auth":{"token":"file"}}}""");

        var config = ConfigLoader.Load(home.State, new ConfigOverrides { Port = 2222, Token = "flag", Bind = IPAddress.IPv6Loopback });

        Assert.Equal(2222, config.Gateway.Port);
        Assert.Equal("flag", config.Gateway.Token);
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
}

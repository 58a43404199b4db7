using System.Net;
using ClawSharp.Gateway.Configuration;
using Serilog.Events;

namespace ClawSharp.Tests.Unit;

public sealed class OptionsDefaultsTests
{
    [Fact]
    public void DefaultValues_AreSet()
    {
        var gateway = new GatewayOptions();
        Assert.Equal(18790, gateway.Port);
        Assert.Equal(IPAddress.Loopback, gateway.Bind);
        Assert.Equal(AuthMode.Token, gateway.AuthMode);
        Assert.True(gateway.IsLoopbackBind);
        Assert.Empty(gateway.Tokens);
        Assert.Equal(["operator.read"], gateway.NoneScopes);
        Assert.Empty(gateway.AllowedOrigins);
        Assert.Equal(16, GatewayOptions.MinimumTokenLength);

        var logs = new LogFileOptions();
        Assert.Equal(104_857_600, logs.MaxFileBytes);
        Assert.Equal(3, logs.MaxBackups);
        Assert.Equal(LogEventLevel.Information, logs.Level);

        Assert.Equal(TimeSpan.FromSeconds(25), new ShutdownOptions().StopTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), new ShutdownOptions().DrainTimeout);

        var restart = new RestartOptions();
        Assert.True(restart.Enabled);
        Assert.Equal("hybrid", restart.ReloadMode);
        Assert.Equal(TimeSpan.FromMilliseconds(300_000), restart.DeferralTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(10_000), restart.SpawnReadyTimeout);

        var store = new StoreOptions();
        Assert.Equal(StoreDurability.Durable, store.Durability);
        Assert.Equal(TimeSpan.FromDays(30), store.Retention);

        var daemon = new DaemonOptions();
        Assert.Equal(TimeSpan.FromSeconds(1), daemon.InitialBackoff);
        Assert.Equal(TimeSpan.FromSeconds(60), daemon.MaxBackoff);
        Assert.Equal(3, daemon.CrashLimit);
        Assert.Equal(TimeSpan.FromMinutes(5), daemon.CrashWindow);
        Assert.Equal(TimeSpan.FromSeconds(15), daemon.StartTimeout);
    }
}

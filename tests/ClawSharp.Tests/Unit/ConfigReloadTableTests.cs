using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Tests.Unit;

public sealed class ConfigReloadTableTests
{
    /// <summary>A key a helper adds to the loader fails here until the reload table says whether it is hot or needs a restart.</summary>
    [Fact]
    public void EveryKeyTheLoaderReads_HasItsOwnEntry()
    {
        var missing = ConfigLoader.Keys.Where(k => !ConfigReloadTable.HasEntry(k)).Order(StringComparer.Ordinal).ToList();

        Assert.True(missing.Count == 0, "classify in ConfigReloadTable: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData("logs.level", true)]
    [InlineData("agents.maxConcurrentRuns", true)]
    [InlineData("gateway.reload.cooldownMs", true)]
    [InlineData("gateway.port", false)]
    [InlineData("gateway.bind", false)]
    [InlineData("gateway.auth.mode", false)]
    [InlineData("gateway.auth.someSecretAddedLater", false)]
    [InlineData("not.a.key", false)]
    public void Kinds(string key, bool hot) => Assert.Equal(hot ? ReloadKind.Hot : ReloadKind.Restart, ConfigReloadTable.KindOf(key));

    [Fact]
    public void EveryEntryWithAReader_ReadsTheLoadersDefault()
    {
        var defaults = ConfigLoader.Parse("{}", "/nowhere/config.json");
        Assert.True(ConfigReloadTable.TryEffective("gateway.port", defaults, out var port));
        Assert.Equal(GatewayOptions.DefaultPort, port);
        Assert.True(ConfigReloadTable.TryEffective("gateway.reload.restartDelayMs", defaults, out var delay));
        Assert.Equal(2000L, delay);
    }
}

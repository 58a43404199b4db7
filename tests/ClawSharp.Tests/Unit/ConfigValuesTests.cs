using System.Net;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Tests.Unit;

public sealed class ConfigValuesTests
{
    [Theory]
    [InlineData("loopback", "127.0.0.1")]
    [InlineData("localhost", "127.0.0.1")]
    [InlineData("all", "0.0.0.0")]
    [InlineData("10.1.2.3", "10.1.2.3")]
    [InlineData("::1", "::1")]
    public void Bind_AcceptsAddressesAndAliases(string text, string expected)
    {
        Assert.True(ConfigValues.TryParseBind(text, out var address));
        Assert.Equal(IPAddress.Parse(expected), address);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("1.2.3")]
    [InlineData("example.com")]
    [InlineData("")]
    public void Bind_RefusesWhatIsNotAnAddress(string text)
    {
        Assert.False(ConfigValues.TryParseBind(text, out _));
    }
}

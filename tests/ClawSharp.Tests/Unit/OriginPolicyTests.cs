using System.Net;
using ClawSharp.Gateway.Http;
using Microsoft.Extensions.Primitives;

namespace ClawSharp.Tests.Unit;

public sealed class OriginPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", null, true)]
    [InlineData("127.0.0.1", "http://127.0.0.1:18790", true)]
    [InlineData("127.0.0.1", "http://localhost:18790", true)]
    [InlineData("127.0.0.1", "http://LOCALHOST:18790/", true)]
    [InlineData("127.0.0.1", "http://[::1]:18790", true)]
    [InlineData("127.0.0.1", "http://127.0.0.1:18791", false)]
    [InlineData("127.0.0.1", "http://127.0.0.1", false)]
    [InlineData("127.0.0.1", "http://evil.example", false)]
    [InlineData("127.0.0.1", "http://evil.example:18790", false)]
    [InlineData("127.0.0.1", "http://127.0.0.1:18790.evil.example", false)]
    [InlineData("127.0.0.1", "null", false)]
    [InlineData("127.0.0.1", "", false)]
    [InlineData("127.0.0.1", "https://dash.example", true)]
    [InlineData("::1", "http://[::1]:18790", true)]
    [InlineData("::1", "http://localhost:18790", true)]
    [InlineData("192.168.1.5", "http://192.168.1.5:18790", true)]
    [InlineData("192.168.1.5", "http://127.0.0.1:18790", false)]
    [InlineData("0.0.0.0", "http://127.0.0.1:18790", true)]
    [InlineData("0.0.0.0", "http://0.0.0.0:18790", false)]
    [InlineData("0.0.0.0", "http://192.168.1.5:18790", false)]
    public void OwnOriginsComeFromTheListeningSocket_PlusTheAllowlist(string bind, string? origin, bool allowed)
    {
        var policy = OriginPolicy.For(new IPEndPoint(IPAddress.Parse(bind), 18790), ["https://dash.example"]);

        Assert.Equal(allowed, policy.Allows(origin is null ? StringValues.Empty : new StringValues(origin)));
    }

    [Fact]
    public void EveryOriginHeader_MustBeAllowed()
    {
        var policy = OriginPolicy.For(new IPEndPoint(IPAddress.Loopback, 18790), []);

        Assert.False(policy.Allows(new StringValues(["http://127.0.0.1:18790", "http://evil.example"])));
    }

    [Fact]
    public void ARefusedOrigin_IsLoggedEscapedAndCut()
    {
        Assert.Equal("http://evil.example\\u000a2026-01-01 forged line\\u001b[31m",
            OriginPolicy.ForLog("http://evil.example\n2026-01-01 forged line\u001b[31m"));
        var cut = OriginPolicy.ForLog("http://" + new string('a', 5000));
        Assert.Equal(OriginPolicy.MaxLoggedLength + "…(cut)".Length, cut.Length);
    }
}

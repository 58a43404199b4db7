using System.Net;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Http;
using ClawSharp.Gateway.Protocol;

namespace ClawSharp.Tests.Unit;

/// <summary>Who may read /metrics: open on loopback, a credential otherwise (checked by the real authenticator).</summary>
public sealed class MetricsAccessTests
{
    private static readonly ConnectAuthenticator Token = new(AuthMode.Token, "s3cret-owner-token",
        [new NamedToken("monitoring", "monitoring-read-only", new HashSet<string>(StringComparer.Ordinal) { Scopes.Read })],
        new HashSet<string>(StringComparer.Ordinal) { Scopes.Read });

    private static bool Matches(ConnectAuthenticator authenticator, string? token) => authenticator.FromBearer(token) is not null;

    [Theory]
    [InlineData("127.0.0.1", null, true)]
    [InlineData("::1", null, true)]
    [InlineData("192.0.2.7", null, false)]
    [InlineData("192.0.2.7", "Bearer wrong", false)]
    [InlineData("192.0.2.7", "Basic s3cret-owner-token", false)]
    [InlineData("192.0.2.7", "Bearer s3cret-owner-token", true)]
    [InlineData("192.0.2.7", "Bearer monitoring-read-only", true)]
    [InlineData("0.0.0.0", "bearer s3cret-owner-token", true)]
    [InlineData("0.0.0.0", "", false)]
    public void TokenDecision(string bound, string? header, bool allowed) =>
        Assert.Equal(allowed, MetricsAccess.Allowed(IPAddress.Parse(bound), header, token => Matches(Token, token)));

    [Fact]
    public void AuthNone_IsOpenOnAnyBind() =>
        Assert.True(MetricsAccess.Allowed(IPAddress.Any, null, token => Matches(new ConnectAuthenticator(AuthMode.None, null, [], new HashSet<string>(StringComparer.Ordinal) { Scopes.Read }), token)));
}

using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.Unit;

public sealed class AuthTests
{
    private static JsonElement Params(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void TokenMode_AcceptsTheToken_AndNamesWhatIsWrongOtherwise()
    {
        var auth = new ConnectAuthenticator(AuthMode.Token, "secret");

        Assert.Null(auth.Check(Params("""{"auth":{"token":"secret"}}""")));
        Assert.Equal("gateway token mismatch", auth.Check(Params("""{"auth":{"token":"secreT"}}""")));
        Assert.Equal("gateway token mismatch", auth.Check(Params("""{"auth":{"token":"a-much-longer-wrong-token"}}""")));
        Assert.StartsWith("gateway token missing", auth.Check(Params("""{"auth":{}}""")));
        Assert.StartsWith("gateway token missing", auth.Check(Params("""{"auth":{"password":"secret"}}""")));
    }

    [Fact]
    public void PasswordMode_ChecksThePassword_AndNoneModeAcceptsAnyone()
    {
        Assert.Null(new ConnectAuthenticator(AuthMode.Password, "pw").Check(Params("""{"auth":{"password":"pw"}}""")));
        Assert.Equal("gateway password mismatch", new ConnectAuthenticator(AuthMode.Password, "pw").Check(Params("""{"auth":{"password":"x"}}""")));
        Assert.Null(new ConnectAuthenticator(AuthMode.None, null).Check(Params("{}")));
    }

    [Theory]
    [InlineData("operator.read", "operator.read", true)]
    [InlineData("operator.write", "operator.read", true)]
    [InlineData("operator.admin", "operator.read", true)]
    [InlineData("operator.admin", "operator.admin", true)]
    [InlineData("operator.read", "operator.write", false)]
    [InlineData("operator.read", "operator.admin", false)]
    [InlineData("operator.write", "operator.admin", false)]
    public void Scopes_FollowOpenClawsTable(string granted, string required, bool allowed)
    {
        Assert.Equal(allowed, Scopes.Satisfies(new HashSet<string> { granted }, required));
    }

    [Fact]
    public void FailureLimiter_BlocksAnAddressAfterTenFailures_UntilTheWindowPasses()
    {
        var time = new FakeTimeProvider();
        var limiter = new AuthFailureLimiter(time);

        for (var i = 0; i < AuthFailureLimiter.MaxFailures - 1; i++)
        {
            limiter.RecordFailure("10.0.0.1");
        }
        Assert.Equal(0, limiter.RetryAfterMs("10.0.0.1"));
        limiter.RecordFailure("10.0.0.1");
        Assert.Equal(60_000, limiter.RetryAfterMs("10.0.0.1"));
        Assert.Equal(0, limiter.RetryAfterMs("10.0.0.2"));

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(40_000, limiter.RetryAfterMs("10.0.0.1"));
        time.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(0, limiter.RetryAfterMs("10.0.0.1"));
    }

    [Fact]
    public void ConnectParams_DefaultToAdminScope_AndRejectAMissingClientId()
    {
        Assert.Null(ConnectParams.Validate(Params("""{"minProtocol":4,"maxProtocol":4,"client":{"id":"x"}}"""), out var connect));
        Assert.Equal(["operator.admin"], connect.Scopes);
        Assert.Equal("client.id must be a non-empty string",
            ConnectParams.Validate(Params("""{"minProtocol":4,"maxProtocol":4,"client":{"id":""}}"""), out _));
        Assert.Equal("minProtocol and maxProtocol must be integers",
            ConnectParams.Validate(Params("""{"client":{"id":"x"}}"""), out _));
    }
}

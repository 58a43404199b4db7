using System.Net;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.Unit;

public sealed class AuthTests
{
    private const string Owner = "owner-token-0123456789";
    private const string ReadOnly = "read-only-token-0123456789";
    private static readonly NamedToken ReadOnlyToken = new("dashboard-ro", ReadOnly, Set(Scopes.Read));

    private static JsonElement Params(string json) => JsonDocument.Parse(json).RootElement;

    private static HashSet<string> Set(params string[] scopes) => new(scopes, StringComparer.Ordinal);

    private static ConnectAuthenticator Authenticator(AuthMode mode, string? secret, params NamedToken[] tokens) =>
        new(mode, secret, tokens, Set(Scopes.Read));

    [Fact]
    public void TokenMode_TheOwnersTokenIsTheOwner_ANamedTokenIsItself_AndTheProblemIsNamedOtherwise()
    {
        var auth = Authenticator(AuthMode.Token, Owner, ReadOnlyToken);

        Assert.Same(Credential.Owner, auth.Authenticate(Params($$$"""{"auth":{"token":"{{{Owner}}}"}}""")).Credential);
        var named = auth.Authenticate(Params($$$"""{"auth":{"token":"{{{ReadOnly}}}"}}""")).Credential!;
        Assert.Equal((CredentialKind.NamedToken, "dashboard-ro"), (named.Kind, named.Name));
        Assert.Equal([Scopes.Read], named.MaxScopes);
        Assert.Equal("gateway token mismatch", auth.Authenticate(Params("""{"auth":{"token":"owner-token-0123456788"}}""")).Problem);
        Assert.Equal("gateway token mismatch", auth.Authenticate(Params("""{"auth":{"token":"a-much-longer-wrong-token-than-any"}}""")).Problem);
        Assert.StartsWith("gateway token missing", auth.Authenticate(Params("""{"auth":{}}""")).Problem);
        Assert.StartsWith("gateway token missing", auth.Authenticate(Params($$$"""{"auth":{"password":"{{{Owner}}}"}}""")).Problem);
    }

    [Fact]
    public void PasswordMode_ThePasswordIsTheOwner_NamedTokensStillWork()
    {
        var auth = Authenticator(AuthMode.Password, "pw", ReadOnlyToken);

        Assert.Same(Credential.Owner, auth.Authenticate(Params("""{"auth":{"password":"pw"}}""")).Credential);
        Assert.Equal("gateway password mismatch", auth.Authenticate(Params("""{"auth":{"password":"x"}}""")).Problem);
        Assert.StartsWith("gateway password missing", auth.Authenticate(Params("{}")).Problem);
        Assert.Equal("dashboard-ro", auth.Authenticate(Params($$$"""{"auth":{"token":"{{{ReadOnly}}}"}}""")).Credential!.Name);
    }

    [Fact]
    public void NoneMode_IsAnonymousWithTheNoneScopes_UnlessANamedTokenIsShown()
    {
        var auth = new ConnectAuthenticator(AuthMode.None, null, [ReadOnlyToken with { Scopes = Set(Scopes.Admin) }], Set(Scopes.Read, Scopes.Write));

        var anonymous = auth.Authenticate(Params("""{"auth":{"token":"whatever-is-shown"}}""")).Credential!;
        Assert.Equal((CredentialKind.Anonymous, "anonymous"), (anonymous.Kind, anonymous.Name));
        Assert.Equal(Set(Scopes.Read, Scopes.Write), anonymous.MaxScopes);
        Assert.Equal(CredentialKind.Anonymous, auth.FromBearer(null)!.Kind);
        Assert.Equal("dashboard-ro", auth.FromBearer(ReadOnly)!.Name);
    }

    [Fact]
    public void Bearer_IsTheOwnerOrANamedToken_OrNothing()
    {
        var auth = Authenticator(AuthMode.Token, Owner, ReadOnlyToken);

        Assert.Same(Credential.Owner, auth.FromBearer(Owner));
        Assert.Equal("dashboard-ro", auth.FromBearer(ReadOnly)!.Name);
        Assert.Null(auth.FromBearer(null));
        Assert.Null(auth.FromBearer("wrong-token-0123456789"));
    }

    [Fact]
    public void ANamedToken_ThatIsTheOwnersSecret_IsAConfigError()
    {
        var error = Assert.Throws<ConfigException>(() => Authenticator(AuthMode.Token, ReadOnly, ReadOnlyToken));

        Assert.Equal("gateway.auth.tokens", error.Key);
        Assert.Contains("dashboard-ro", error.Message);
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

    /// <summary>Granted = asked ∩ what the credential holds; asking for nothing gets the credential's default.</summary>
    [Theory]
    [InlineData("owner", "", "operator.admin")]
    [InlineData("owner", "operator.admin", "operator.admin")]
    [InlineData("owner", "operator.read", "operator.read")]
    [InlineData("owner", "operator.read,operator.write", "operator.read,operator.write")]
    [InlineData("owner", "operator.pairing", "operator.pairing")]
    [InlineData("read", "", "operator.read")]
    [InlineData("read", "operator.admin", "operator.read")]
    [InlineData("read", "operator.write", "operator.read")]
    [InlineData("read", "operator.pairing", "")]
    [InlineData("write", "operator.admin", "operator.write")]
    [InlineData("write", "operator.admin,operator.read", "operator.read,operator.write")]
    [InlineData("none", "operator.admin", "")]
    public void ScopeGrant_NeverExceedsTheCredential(string credential, string requested, string expected)
    {
        var holder = credential switch
        {
            "owner" => Credential.Owner,
            "read" => Credential.Of(ReadOnlyToken),
            "write" => Credential.Of(ReadOnlyToken with { Scopes = Set(Scopes.Write) }),
            _ => Credential.Anonymous(Set()),
        };

        var granted = ScopeGrant.Of(Set(requested.Split(',', StringSplitOptions.RemoveEmptyEntries)), holder);

        Assert.Equal(expected, string.Join(",", granted.Order(StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.0.0.31", "loopback")]
    [InlineData("127.200.3.4", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("::ffff:127.0.0.2", "loopback")]
    [InlineData("10.0.0.1", "10.0.0.1")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::7", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::7", "2001:db8:1:3::/64")]
    public void FailureLimiter_BucketsLoopbackTogether_AndIPv6ByItsSlash64(string address, string bucket)
    {
        Assert.Equal(bucket, AuthFailureLimiter.BucketOf(IPAddress.Parse(address)));
    }

    [Fact]
    public void FailureLimiter_ThrottlesABucketPastTenFailures_SpacesItsAnswers_UntilTheWindowPasses()
    {
        var time = new FakeTimeProvider();
        using var limiter = new AuthFailureLimiter(time);

        for (var i = 0; i < AuthFailureLimiter.MaxFailures; i++)
        {
            Assert.Null(limiter.RecordFailure(IPAddress.Parse($"127.0.0.{2 + i}")));
        }
        var first = limiter.RecordFailure(IPAddress.Parse("127.0.0.30"))!;
        var second = limiter.RecordFailure(IPAddress.Parse("::1"))!;
        Assert.Equal(new Throttle("loopback", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1)), first);
        Assert.Equal(TimeSpan.FromSeconds(2), second.Hold);
        Assert.Null(limiter.RecordFailure(IPAddress.Parse("10.0.0.2")));

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(40), limiter.RecordFailure(IPAddress.Loopback)!.RetryAfter);
        for (var i = 0; i < 30; i++)
        {
            Assert.True(limiter.RecordFailure(IPAddress.Loopback)!.Hold <= AuthFailureLimiter.MaxHold);
        }
        time.Advance(TimeSpan.FromSeconds(40));
        Assert.Null(limiter.RecordFailure(IPAddress.Loopback));
    }

    [Fact]
    public void FailureLimiter_SweepsPassedWindowsOnItsTimer()
    {
        var time = new FakeTimeProvider();
        using var limiter = new AuthFailureLimiter(time);
        limiter.RecordFailure(IPAddress.Parse("10.0.0.1"));
        limiter.RecordFailure(IPAddress.Parse("10.0.0.2"));
        time.Advance(TimeSpan.FromSeconds(30));
        limiter.RecordFailure(IPAddress.Parse("10.0.0.3"));
        Assert.Equal(3, limiter.Count);

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, limiter.Count);

        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, limiter.Count);
    }

    [Fact]
    public void FailureLimiter_IsCapped_AndNewAddressesPastTheCapShareOneBucket()
    {
        var time = new FakeTimeProvider();
        using var limiter = new AuthFailureLimiter(time);
        for (var i = 0; i < AuthFailureLimiter.MaxEntries; i++)
        {
            limiter.RecordFailure(new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]));
        }

        Throttle? throttle = null;
        for (var i = 0; i <= AuthFailureLimiter.MaxFailures; i++)
        {
            throttle = limiter.RecordFailure(new IPAddress([11, 0, 0, (byte)i]));
        }

        Assert.Equal(AuthFailureLimiter.MaxEntries + 1, limiter.Count);
        Assert.Equal(AuthFailureLimiter.OverflowBucket, throttle!.Bucket);
    }

    [Fact]
    public void ConnectParams_KeepWhatIsAsked_AndRejectAMissingClientId()
    {
        Assert.Null(ConnectParams.Validate(Params("""{"minProtocol":4,"maxProtocol":4,"client":{"id":"x"}}"""), out var connect));
        Assert.Empty(connect.Scopes);
        Assert.Equal("client.id must be a non-empty string",
            ConnectParams.Validate(Params("""{"minProtocol":4,"maxProtocol":4,"client":{"id":""}}"""), out _));
        Assert.Equal("minProtocol and maxProtocol must be integers",
            ConnectParams.Validate(Params("""{"client":{"id":"x"}}"""), out _));
        // Scopes given as a string or an object are refused: ignored, they granted the credential's every scope.
        Assert.Equal("scopes must be an array of strings",
            ConnectParams.Validate(Params("""{"minProtocol":4,"maxProtocol":4,"client":{"id":"x"},"scopes":"operator.read"}"""), out _));
        Assert.Equal("scopes must be an array of strings",
            ConnectParams.Validate(Params("""{"minProtocol":4,"maxProtocol":4,"client":{"id":"x"},"scopes":{}}"""), out _));
        Assert.Null(ConnectParams.Validate(Params("""{"minProtocol":4,"maxProtocol":4,"client":{"id":"x"},"scopes":null}"""), out _));
    }
}

using System.Text;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Protocol;

/// <summary>The credential a <c>connect</c> proved, or why it proved none (sent as <c>unauthorized: …</c>).</summary>
internal readonly record struct AuthOutcome(Credential? Credential, string? Problem);

/// <summary>
/// Turns what a client presents into a <see cref="Credential"/>: the owner's shared token or
/// password (per <c>gateway.auth.mode</c>), a named token from <c>gateway.auth.tokens</c> (in
/// every mode), or, with mode none, the anonymous credential. Secrets are compared as UTF-8 bytes
/// by <see cref="SecretMatch"/> (time set by the presented length only), and every configured
/// secret is compared, so the time taken says neither which one matched nor how much of one did.
/// </summary>
internal sealed class ConnectAuthenticator
{
    private readonly AuthMode mode;
    private readonly byte[]? ownerSecret;
    private readonly (byte[] Secret, Credential Credential)[] namedTokens;
    private readonly Credential anonymous;

    /// <exception cref="ConfigException">A named token is the owner's secret (the token file's, which config cannot see).</exception>
    public ConnectAuthenticator(AuthMode mode, string? ownerSecret, IReadOnlyList<NamedToken> tokens, IReadOnlySet<string> noneScopes)
    {
        this.mode = mode;
        if (mode != AuthMode.None)
        {
            ArgumentException.ThrowIfNullOrEmpty(ownerSecret);
            this.ownerSecret = Bytes(ownerSecret);
        }
        namedTokens = [.. tokens.Select(t => (Bytes(t.Token), Credential.Of(t)))];
        if (this.ownerSecret is { } owner && namedTokens.FirstOrDefault(t => t.Secret.AsSpan().SequenceEqual(owner)) is { Credential: { } clash })
        {
            throw new ConfigException($"gateway.auth.tokens: the token of \"{clash.Name}\" is the owner's secret: a named token must differ from it",
                "gateway.auth.tokens");
        }
        anonymous = Credential.Anonymous(noneScopes);
    }

    /// <summary>Reads <c>auth.token</c> / <c>auth.password</c> of <c>connect</c> params.</summary>
    public AuthOutcome Authenticate(JsonElement connectParams)
    {
        var token = AuthField(connectParams, "token");
        var password = AuthField(connectParams, "password");
        switch (mode)
        {
            case AuthMode.None:
                return new(FindNamed(token) ?? anonymous, null);
            case AuthMode.Password when !string.IsNullOrEmpty(password):
                return Matches(ownerSecret!, Bytes(password)) ? new(Credential.Owner, null) : new(null, "gateway password mismatch");
            case AuthMode.Password when string.IsNullOrEmpty(token):
                return new(null, "gateway password missing (pass auth.password in connect)");
            case AuthMode.Token when string.IsNullOrEmpty(token):
                return new(null, "gateway token missing (pass auth.token in connect)");
            default:
                return FindToken(token) is { } credential ? new(credential, null) : new(null, "gateway token mismatch");
        }
    }

    /// <summary>
    /// The credential of an HTTP <c>Authorization: Bearer</c> value: the owner's token (or its
    /// password in password mode), a named token, or anonymous with mode none. Null when it proves nothing.
    /// </summary>
    public Credential? FromBearer(string? presented) => mode == AuthMode.None
        ? FindNamed(presented) ?? anonymous
        : FindToken(presented);

    /// <summary>The owner's secret or a named token, checked against every configured secret.</summary>
    private Credential? FindToken(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return null;
        }
        var presentedBytes = Bytes(presented);
        var named = FindNamed(presentedBytes);
        return Matches(ownerSecret!, presentedBytes) ? Credential.Owner : named;
    }

    private Credential? FindNamed(string? presented) => string.IsNullOrEmpty(presented) ? null : FindNamed(Bytes(presented));

    private Credential? FindNamed(byte[] presented)
    {
        Credential? found = null;
        foreach (var (secret, credential) in namedTokens)
        {
            // No early exit: the loop takes as long whichever token matches.
            if (SecretMatch.Equal(secret, presented))
            {
                found ??= credential;
            }
        }
        return found;
    }

    private static bool Matches(byte[] secret, byte[] presented) => SecretMatch.Equal(secret, presented);

    private static byte[] Bytes(string secret) => Encoding.UTF8.GetBytes(secret);

    private static string? AuthField(JsonElement connectParams, string field) =>
        connectParams.ValueKind == JsonValueKind.Object
        && connectParams.TryGetProperty("auth", out var auth)
        && auth.ValueKind == JsonValueKind.Object
        && auth.TryGetProperty(field, out var value)
            ? JsonText.Of(value)
            : null;
}

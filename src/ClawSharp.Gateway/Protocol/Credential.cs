using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Protocol;

/// <summary>What kind of proof a client gave.</summary>
internal enum CredentialKind
{
    /// <summary>The shared token or password (<c>gateway.auth.mode</c>): the owner, every scope.</summary>
    Owner,

    /// <summary>A token from <c>gateway.auth.tokens</c>, with the scopes configured for it.</summary>
    NamedToken,

    /// <summary>No proof, under <c>gateway.auth.mode</c> none: <c>gateway.auth.noneScopes</c>, never admin.</summary>
    Anonymous,
}

/// <summary>
/// Who a connection or an HTTP request proved to be, and the most it may do: the scopes a
/// client is granted never exceed <see cref="MaxScopes"/>, whatever it asks for
/// (<see cref="ScopeGrant"/>). Device identity (a later issue) becomes another
/// <see cref="CredentialKind"/>, with its own maximum.
/// </summary>
/// <param name="Kind">What was presented.</param>
/// <param name="Name">Logged as who connected: <c>owner</c>, <c>anonymous</c> or the configured token's name.</param>
/// <param name="MaxScopes">The most this credential is granted.</param>
internal sealed record Credential(CredentialKind Kind, string Name, IReadOnlySet<string> MaxScopes)
{
    /// <summary>The owner's shared secret: <c>operator.admin</c>, which satisfies every operator scope.</summary>
    public static Credential Owner { get; } = new(CredentialKind.Owner, "owner", new HashSet<string>(StringComparer.Ordinal) { Scopes.Admin });

    /// <summary>
    /// What a client that asks for no scopes is granted: all this credential holds. For the
    /// owner that is <c>operator.admin</c>, as before scopes were bound to credentials (OpenClaw's
    /// CLI always names its scopes, so it never relies on this).
    /// </summary>
    public IReadOnlySet<string> DefaultScopes => MaxScopes;

    public static Credential Anonymous(IReadOnlySet<string> scopes) => new(CredentialKind.Anonymous, "anonymous", scopes);

    public static Credential Of(NamedToken token) => new(CredentialKind.NamedToken, token.Name, token.Scopes);
}

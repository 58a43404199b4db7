namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// An extra token from <c>gateway.auth.tokens</c>: a credential that holds at most
/// <paramref name="Scopes"/> (a read-only token for a dashboard or a monitoring script), beside
/// the owner's shared token or password, which holds every scope.
/// </summary>
/// <param name="Name">Unique, 1–64 characters of <c>A-Z a-z 0-9 . _ -</c>; logged as who connected.</param>
/// <param name="Token">The secret, at least <see cref="GatewayOptions.MinimumTokenLength"/> characters, unique.</param>
/// <param name="Scopes">The most a client holding this token is granted; a subset of <see cref="ScopeNames.Known"/>.</param>
internal sealed record NamedToken(string Name, string Token, IReadOnlySet<string> Scopes);

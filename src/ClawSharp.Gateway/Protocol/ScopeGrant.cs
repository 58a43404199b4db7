namespace ClawSharp.Gateway.Protocol;

/// <summary>
/// The scopes a <c>connect</c> is granted: what it asks for, cut down to what its credential
/// holds. Pure.
/// </summary>
internal static class ScopeGrant
{
    /// <summary>
    /// Asking for nothing gets the credential's <see cref="Credential.DefaultScopes"/>. Otherwise
    /// each scope asked for is granted when the credential satisfies it (<see cref="Scopes.Satisfies"/>);
    /// one it does not satisfy is replaced by the lesser scopes it implies that the credential
    /// holds (<c>operator.admin</c> implies write and read, write implies read), so the CLI, which
    /// asks for admin, still reads with a read-only token. An implied scope is listed only when
    /// no granted scope already implies it: the owner asking for admin is granted <c>[operator.admin]</c>.
    /// </summary>
    public static IReadOnlySet<string> Of(IReadOnlySet<string> requested, Credential credential)
    {
        if (requested.Count == 0)
        {
            return credential.DefaultScopes;
        }
        var candidates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scope in requested)
        {
            candidates.UnionWith(WithImplied(scope));
        }
        candidates.RemoveWhere(scope => !Scopes.Satisfies(credential.MaxScopes, scope));
        var granted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scope in candidates)
        {
            if (requested.Contains(scope) || !candidates.Any(other => other != scope && WithImplied(other).Contains(scope)))
            {
                granted.Add(scope);
            }
        }
        return granted;
    }

    private static IEnumerable<string> WithImplied(string scope) => scope switch
    {
        Scopes.Admin => [Scopes.Admin, Scopes.Write, Scopes.Read],
        Scopes.Write => [Scopes.Write, Scopes.Read],
        _ => [scope],
    };
}

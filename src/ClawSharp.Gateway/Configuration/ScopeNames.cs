namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// The operator scopes a credential can hold, named as OpenClaw names them. What each one
/// satisfies is decided by <c>Protocol.Scopes</c>; this list is what <c>config.json</c> may name.
/// </summary>
internal static class ScopeNames
{
    public const string Read = "operator.read";
    public const string Write = "operator.write";
    public const string Admin = "operator.admin";

    /// <summary>Every scope a configured credential may hold, least first.</summary>
    public static readonly IReadOnlyList<string> Known = [Read, Write, Admin];
}

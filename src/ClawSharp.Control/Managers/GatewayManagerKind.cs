namespace ClawSharp.Control.Managers;

/// <summary>Who manages the gateway of a state directory (ARCHITECTURE.md §3, "who restarts whom").</summary>
internal enum GatewayManagerKind
{
    /// <summary>No manager: a foreground <c>gateway run</c>, or a gateway it respawned, found through the lock.</summary>
    None,

    /// <summary>The built-in supervisor (<c>gateway start</c>).</summary>
    Builtin,
}

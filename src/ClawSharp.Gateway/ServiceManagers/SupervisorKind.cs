namespace ClawSharp.Gateway.ServiceManagers;

/// <summary>Who restarts this gateway, from <c>CLAWSHARP_SUPERVISOR</c> (ARCHITECTURE.md §1). The one place that reads it.</summary>
// Public, unlike the other types: xunit theories (public methods) take it as a parameter.
public enum SupervisorKind
{
    /// <summary>Unset: the gateway restarts itself.</summary>
    None,
    Builtin,
    Systemd,
    Launchd,
    Windows,
}

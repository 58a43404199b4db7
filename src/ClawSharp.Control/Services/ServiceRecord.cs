namespace ClawSharp.Control.Services;

/// <summary>
/// What <c>gateway install</c> wrote and registered, kept in the state directory
/// (<c>service.json</c>, owner-only) so that every later command knows which manager owns
/// the gateway, and <c>uninstall</c> removes exactly what install made.
/// </summary>
/// <param name="Platform">The service manager.</param>
/// <param name="Scope">User or system.</param>
/// <param name="Name">Unit base name, launchd label or Windows service name.</param>
/// <param name="Files">Every file install wrote (the environment file included).</param>
/// <param name="Command">The command line the definition runs.</param>
/// <param name="InstalledAt">When.</param>
/// <param name="Version">The clawsharp version that installed it.</param>
internal sealed record ServiceRecord(
    ServicePlatform Platform,
    ServiceScope Scope,
    string Name,
    IReadOnlyList<string> Files,
    IReadOnlyList<string> Command,
    DateTimeOffset InstalledAt,
    string Version);

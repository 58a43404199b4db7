namespace ClawSharp.Control.Services;

/// <summary>The service managers <c>gateway install</c> can write a definition for.</summary>
internal enum ServicePlatform
{
    /// <summary>Linux: a systemd unit (+ socket unit), driven with <c>systemctl</c>.</summary>
    Systemd,

    /// <summary>macOS: a LaunchAgent property list, driven with <c>launchctl</c>.</summary>
    Launchd,

    /// <summary>Windows: a service created with <c>sc.exe</c>.</summary>
    Windows,
}

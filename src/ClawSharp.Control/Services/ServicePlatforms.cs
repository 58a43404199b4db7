using ClawSharp.Control.Services.Launchd;
using ClawSharp.Control.Services.Systemd;
using ClawSharp.Control.Services.Windows;

namespace ClawSharp.Control.Services;

/// <summary>
/// Which service manager this machine has, and the objects that drive it. The one place that
/// maps a platform to its classes.
/// </summary>
internal static class ServicePlatforms
{
    /// <summary>
    /// Test hook: <c>CLAWSHARP_SERVICE_PLATFORM=launchd|windows|systemd</c> picks a platform other
    /// than this OS's, so the launchd and Windows paths run here against recording stand-ins of
    /// <c>launchctl</c> and <c>sc.exe</c>.
    /// </summary>
    public const string PlatformVariable = "CLAWSHARP_SERVICE_PLATFORM";

    /// <summary>This machine's service manager, or null where none is supported.</summary>
    public static ServicePlatform? Current(Func<string, string?> getEnvironment) =>
        getEnvironment(PlatformVariable)?.Trim().ToLowerInvariant() switch
        {
            "systemd" => ServicePlatform.Systemd,
            "launchd" => ServicePlatform.Launchd,
            "windows" => ServicePlatform.Windows,
            _ when OperatingSystem.IsLinux() => ServicePlatform.Systemd,
            _ when OperatingSystem.IsMacOS() => ServicePlatform.Launchd,
            _ when OperatingSystem.IsWindows() => ServicePlatform.Windows,
            _ => null,
        };

    /// <summary>The installer's side of <paramref name="platform"/>.</summary>
    public static IServicePlatform Installer(ServicePlatform platform, ServiceScope scope, Func<string, string?> getEnvironment, string userHome) =>
        platform switch
        {
            ServicePlatform.Systemd => new SystemdPlatform(new Systemctl(scope), SystemdPlatform.UnitDirectory(scope, getEnvironment, userHome),
                scope == ServiceScope.User ? ct => SystemdPlatform.LingerWarningAsync(Environment.UserName, ct) : null),
            ServicePlatform.Launchd => new LaunchdPlatform(),
            _ => new WindowsServicePlatform(),
        };

    /// <summary>The operator's side of <paramref name="platform"/>: start, stop, view.</summary>
    public static IServiceControl Control(ServicePlatform platform) =>
        platform switch
        {
            ServicePlatform.Systemd => new SystemdControl(scope => new Systemctl(scope)),
            ServicePlatform.Launchd => new LaunchdServiceControl(new LaunchdPlatform()),
            _ => new WindowsServiceViewControl(new WindowsServicePlatform()),
        };
}

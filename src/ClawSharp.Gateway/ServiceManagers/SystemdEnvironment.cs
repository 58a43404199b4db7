using System.Globalization;

namespace ClawSharp.Gateway.ServiceManagers;

/// <summary>
/// What systemd (and our unit) put in the environment besides <c>NOTIFY_SOCKET</c>: the watchdog
/// (<c>WATCHDOG_USEC</c>, <c>WATCHDOG_PID</c>, sd_watchdog_enabled(3)) and the unit's stop
/// timeout (<c>CLAWSHARP_STOP_TIMEOUT_SEC</c>). Pure: it reads through the function it is given.
/// </summary>
internal static class SystemdEnvironment
{
    public const string WatchdogUsecVariable = "WATCHDOG_USEC";
    public const string WatchdogPidVariable = "WATCHDOG_PID";

    /// <summary>Set by the unit to its <c>TimeoutStopSec</c>, in seconds: systemd tells a service nothing about its stop timeout.</summary>
    public const string StopTimeoutVariable = "CLAWSHARP_STOP_TIMEOUT_SEC";

    /// <summary>
    /// How often to send <c>WATCHDOG=1</c>: half of <c>WATCHDOG_USEC</c>, as sd_watchdog_enabled(3)
    /// advises; null when the watchdog is off (unset, not a positive number) or meant for another
    /// process (<c>WATCHDOG_PID</c> set to a PID that is not <paramref name="pid"/>).
    /// </summary>
    public static TimeSpan? WatchdogInterval(Func<string, string?> getEnvironment, int pid)
    {
        if (!long.TryParse(getEnvironment(WatchdogUsecVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec <= 0)
        {
            return null;
        }
        if (getEnvironment(WatchdogPidVariable) is { Length: > 0 } watchdogPid
            && (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out var target) || target != pid))
        {
            return null;
        }
        return TimeSpan.FromMicroseconds(usec / 2.0);
    }

    /// <summary>The unit's stop timeout; null when unset, not a positive number of seconds, or <c>infinity</c> (nothing to extend).</summary>
    public static TimeSpan? StopTimeout(Func<string, string?> getEnvironment) =>
        double.TryParse(getEnvironment(StopTimeoutVariable), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
        && seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds / 2
            ? TimeSpan.FromSeconds(seconds)
            : null;
}

using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting.Systemd;

namespace ClawSharp.Gateway.ServiceManagers;

/// <summary>
/// What the gateway tells systemd (sd_notify), through <see cref="SystemdNotifier"/>: it sends
/// whenever <c>NOTIFY_SOCKET</c> is set, whoever the parent is, so a wrapper script or a test's
/// own socket hears the same as systemd. A no-op when the variable is unset. Best effort: a
/// service manager that has gone away must not take the gateway down with it, so a failed send
/// is dropped (sd_notify's callers ignore its errors for the same reason).
/// </summary>
internal sealed class SystemdNotifications
{
    private readonly ISystemdNotifier notifier;

    /// <summary>Notifies the socket <c>NOTIFY_SOCKET</c> names, if any.</summary>
    public SystemdNotifications()
        : this(new SystemdNotifier())
    {
    }

    /// <summary>For testing: a notifier that records what it is sent.</summary>
    internal SystemdNotifications(ISystemdNotifier notifier) => this.notifier = notifier;

    /// <summary>Notifies nobody (the decision tests' default).</summary>
    public static SystemdNotifications None { get; } = new(new NoNotifier());

    public bool IsEnabled => notifier.IsEnabled;

    /// <summary><c>READY=1</c>: a generation serves (the first, or the one an in-process restart started).</summary>
    /// <param name="servingOn">Where it serves, <c>ADDR:PORT</c>.</param>
    public void Ready(string servingOn) => Send($"READY=1\nSTATUS=serving on {servingOn}");

    /// <summary>
    /// <c>RELOADING=1</c>: a restart begins (in process under systemd, so the PID stays and the
    /// restart is not a start that counts against <c>StartLimitBurst</c>). systemd wants the
    /// CLOCK_MONOTONIC time with it (sd_notify(3)), which is what <see cref="Stopwatch"/> reads on Linux.
    /// </summary>
    public void Reloading() =>
        Send($"RELOADING=1\nMONOTONIC_USEC={(long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency))}\nSTATUS=restart scheduled");

    /// <summary><c>STATUS=</c>: a free-form line <c>systemctl status</c> shows.</summary>
    public void Status(string status) => Send($"STATUS={status}");

    /// <summary><c>STOPPING=1</c>: a stop begins.</summary>
    public void Stopping() => Send("STOPPING=1\nSTATUS=stopping");

    /// <summary><c>WATCHDOG=1</c>: the run loop is alive.</summary>
    public void Watchdog() => Send("WATCHDOG=1");

    /// <summary><c>EXTEND_TIMEOUT_USEC=</c>: systemd's stop timeout is pushed to at least <paramref name="by"/> from now.</summary>
    public void ExtendTimeout(TimeSpan by) => Send($"EXTEND_TIMEOUT_USEC={(long)by.TotalMicroseconds}");

    private void Send(string state)
    {
        if (!notifier.IsEnabled)
        {
            return;
        }
        try
        {
            notifier.Notify(new ServiceState(state));
        }
        catch (SocketException)
        {
        }
    }

    private sealed class NoNotifier : ISystemdNotifier
    {
        public bool IsEnabled => false;

        public void Notify(ServiceState state)
        {
        }
    }
}

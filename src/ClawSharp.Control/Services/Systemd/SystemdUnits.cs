using System.Globalization;
using System.Net;
using System.Text;
using ClawSharp.Gateway;

namespace ClawSharp.Control.Services.Systemd;

/// <summary>
/// Renders <c>NAME.service</c> and <c>NAME.socket</c> from a <see cref="ServiceDefinition"/>. Pure.
/// Why each setting is what it is:
/// <list type="bullet">
/// <item><c>Type=notify</c>, <c>NotifyAccess=main</c>: started means serving (READY=1), not exec'd; only the gateway itself may say so.</item>
/// <item><c>Restart=always</c>, <c>RestartSec</c> = the first backoff, <c>RestartPreventExitStatus=78</c>: a bad config or a healthy duplicate waits for the operator.</item>
/// <item><c>StartLimitBurst</c> = crash limit + 1 in the crash window (in [Unit]): 4 crashes in 5 minutes stop it, like the built-in
/// supervisor. Deliberate restarts never count: under systemd the gateway restarts in process (RELOADING=1 … READY=1), keeping its PID.</item>
/// <item><c>TimeoutStopSec</c> from the shutdown budgets (never shorter), <c>KillMode=mixed</c>: SIGTERM reaches the gateway alone, so an
/// agent's tool process finishes during the drain; the rest of the group is killed only at the end.</item>
/// <item><c>WatchdogSec</c>: the event loop pings at half of it; a wedged loop is killed (<c>WatchdogSignal=SIGKILL</c>) and restarted.</item>
/// <item><c>ExecReload</c>: <c>systemctl reload</c> is a safe restart (SIGUSR1).</item>
/// <item>Secrets only through <c>EnvironmentFile=</c> (owner-only); the unit names the file, never a value.</item>
/// <item>The socket unit holds the port across every restart and crash (0 refused connections); the gateway adopts it.</item>
/// </list>
/// </summary>
internal static class SystemdUnits
{
    public const string SocketFileDescriptorName = "clawsharp";

    public static string ServiceUnitName(string name) => name + ".service";

    public static string SocketUnitName(string name) => name + ".socket";

    public static string Service(ServiceDefinition definition)
    {
        var socket = SocketUnitName(definition.Name);
        var unit = new StringBuilder()
            .AppendLine(Header(definition))
            .AppendLine("[Unit]")
            .AppendLine(CultureInfo.InvariantCulture, $"Description=ClawSharp gateway ({definition.State.Root})")
            .AppendLine(CultureInfo.InvariantCulture, $"Requires={socket}")
            .AppendLine(CultureInfo.InvariantCulture, $"After={socket}");
        if (definition.Scope == ServiceScope.System)
        {
            unit.AppendLine("Wants=network-online.target").AppendLine("After=network-online.target");
        }
        unit.AppendLine(CultureInfo.InvariantCulture, $"StartLimitIntervalSec={Seconds(definition.StartLimitInterval)}")
            .AppendLine(CultureInfo.InvariantCulture, $"StartLimitBurst={definition.StartLimitBurst}")
            .AppendLine()
            .AppendLine("[Service]")
            .AppendLine("Type=notify")
            .AppendLine("NotifyAccess=main")
            .AppendLine(CultureInfo.InvariantCulture, $"ExecStart={SystemdSyntax.CommandLine(definition.Command)}")
            .AppendLine("ExecReload=/bin/kill -USR1 $MAINPID")
            .AppendLine("Restart=always")
            .AppendLine(CultureInfo.InvariantCulture, $"RestartSec={Milliseconds(definition.RestartDelay)}")
            .AppendLine("RestartPreventExitStatus=78")
            .AppendLine("RestartForceExitStatus=75")
            .AppendLine(CultureInfo.InvariantCulture, $"TimeoutStopSec={Seconds(definition.StopTimeout)}")
            .AppendLine("KillMode=mixed")
            .AppendLine(CultureInfo.InvariantCulture, $"WatchdogSec={Seconds(definition.Watchdog)}")
            // systemd's default SIGABRT does not end a wedged .NET process (seen: it stayed in stop-watchdog until the abort
            // timeout, 40 s): the watchdog's job is a prompt restart, so it kills.
            .AppendLine("WatchdogSignal=SIGKILL")
            .AppendLine("UMask=0077");
        foreach (var (key, value) in definition.Environment.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            unit.AppendLine(CultureInfo.InvariantCulture, $"Environment={SystemdSyntax.Assignment(key, value)}");
        }
        unit.AppendLine(CultureInfo.InvariantCulture, $"EnvironmentFile={SystemdSyntax.Path(definition.EnvironmentFile)}")
            .AppendLine(CultureInfo.InvariantCulture, $"WorkingDirectory={SystemdSyntax.Path(definition.State.Root)}");
        if (definition.Scope == ServiceScope.System && definition.User is { } user)
        {
            unit.AppendLine(CultureInfo.InvariantCulture, $"User={user}");
        }
        return unit.AppendLine()
            .AppendLine("[Install]")
            .AppendLine(definition.Scope == ServiceScope.System ? "WantedBy=multi-user.target" : "WantedBy=default.target")
            .ToString();
    }

    public static string Socket(ServiceDefinition definition)
    {
        var unit = new StringBuilder()
            .AppendLine(Header(definition))
            .AppendLine("[Unit]")
            .AppendLine(CultureInfo.InvariantCulture, $"Description=ClawSharp gateway socket ({definition.State.Root})")
            .AppendLine()
            .AppendLine("[Socket]")
            .AppendLine(CultureInfo.InvariantCulture, $"ListenStream={ListenAddress(definition.BindAddress, definition.Port)}");
        if (IPAddress.TryParse(definition.BindAddress, out var address) && address.Equals(IPAddress.IPv6Any))
        {
            // The gateway's own bind of :: is dual-stack; the socket unit's must say so.
            unit.AppendLine("BindIPv6Only=both");
        }
        return unit.AppendLine(CultureInfo.InvariantCulture, $"FileDescriptorName={SocketFileDescriptorName}")
            .AppendLine(CultureInfo.InvariantCulture, $"Service={ServiceUnitName(definition.Name)}")
            .AppendLine("Backlog=1024")
            .AppendLine("NoDelay=true")
            .AppendLine()
            .AppendLine("[Install]")
            .AppendLine("WantedBy=sockets.target")
            .ToString();
    }

    /// <summary><c>127.0.0.1:18790</c>, <c>[::1]:18790</c>.</summary>
    public static string ListenAddress(string bind, int port) =>
        IPAddress.TryParse(bind, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{address}]:{port.ToString(CultureInfo.InvariantCulture)}"
            : $"{bind}:{port.ToString(CultureInfo.InvariantCulture)}";

    private static string Header(ServiceDefinition definition) =>
        $"# Written by 'clawsharp gateway install' (clawsharp {GatewayVersion.Current}). Replace it with 'gateway install --force',\n"
        + $"# remove it with 'gateway uninstall'. No secret is here: they are in {definition.EnvironmentFile} (owner-only).";

    private static string Seconds(TimeSpan value) => ((long)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static string Milliseconds(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
}

using System.Threading.Channels;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.ServiceManagers;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// The systemd watchdog's keep-alive. A timer only posts <see cref="RunLoopCommand.Heartbeat"/>
/// into the run loop's channel; the loop itself sends <c>WATCHDOG=1</c> when it reads it
/// (<see cref="Beat"/>). A timer that pinged on its own would keep a wedged loop alive forever;
/// this way a loop that stops reading its channel stops the pings, and systemd kills it
/// (<c>WatchdogSec=</c>). No timer when the watchdog is off.
/// </summary>
internal sealed class LoopHeartbeat : IDisposable
{
    private readonly SystemdNotifications notifications;
    private readonly StateDirectory state;
    private readonly GatewayFaults faults;
    private readonly ILogger logger;
    private readonly ITimer? timer;

    /// <param name="interval">How often to ping (half of <c>WATCHDOG_USEC</c>); null: the watchdog is off.</param>
    /// <param name="commands">The run loop's channel.</param>
    /// <param name="notifications">Where <c>WATCHDOG=1</c> goes.</param>
    /// <param name="state">The state directory (the wedge fault's marker).</param>
    /// <param name="faults">Test faults.</param>
    /// <param name="time">The clock of the timer.</param>
    /// <param name="logger">The lifecycle log.</param>
    public LoopHeartbeat(TimeSpan? interval, ChannelWriter<RunLoopCommand> commands, SystemdNotifications notifications, StateDirectory state,
        GatewayFaults faults, TimeProvider time, ILogger logger)
    {
        this.notifications = notifications;
        this.state = state;
        this.faults = faults;
        this.logger = logger;
        if (interval is { } period && notifications.IsEnabled)
        {
            timer = time.CreateTimer(_ => commands.TryWrite(new RunLoopCommand.Heartbeat()), null, TimeSpan.Zero, period);
        }
    }

    /// <summary>Called by the run loop, on its own path, for each heartbeat it reads.</summary>
    public void Beat()
    {
        var marker = Path.Combine(state.Root, GatewayFaults.WedgeLoopMarker);
        if (faults.WedgeLoopWhenMarked && File.Exists(marker))
        {
            File.Delete(marker);
            LifecycleLog.WedgeLoopFault(logger);
            // Blocks the loop's own thread, as a real hang would: no later command is read.
            Thread.Sleep(Timeout.Infinite);
        }
        notifications.Watchdog();
    }

    public void Dispose() => timer?.Dispose();
}

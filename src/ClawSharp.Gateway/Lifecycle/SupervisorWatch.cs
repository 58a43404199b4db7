using System.Threading.Channels;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Restart;
using ClawSharp.Gateway.ServiceManagers;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// Turns the death of the built-in supervisor that started this gateway (killed, OOM: this
/// process was re-parented) into a restart, as <see cref="SignalListener"/> turns SIGUSR1 into
/// one: the restart starts a new supervisor on the listening socket
/// (<see cref="RestartMode.SpawnSupervisor"/>), so the next crash is restarted again and no
/// connection is refused. Looks every <see cref="Interval"/> (one getppid); asks once per process:
/// a restart that could not start a supervisor (it fell back in process) is not tried again by
/// itself, <c>gateway start</c> or a restart tries. Off with <c>daemon.resupervise: false</c>,
/// and wherever that restart could not start one (Windows, <c>CLAWSHARP_NO_RESPAWN=1</c>).
/// </summary>
internal sealed class SupervisorWatch : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly Func<string, string?> environment;
    private readonly Func<bool> enabled;
    private readonly ChannelWriter<RunLoopCommand> commands;
    private readonly ILogger logger;
    private readonly ITimer timer;
    private int asked;

    private SupervisorWatch(Func<string, string?> environment, Func<bool> enabled, ChannelWriter<RunLoopCommand> commands, TimeProvider time, ILogger logger)
    {
        this.environment = environment;
        this.enabled = enabled;
        this.commands = commands;
        this.logger = logger;
        timer = time.CreateTimer(_ => Look(), null, Interval, Interval);
    }

    /// <summary>A watch for a gateway started by the built-in supervisor; null when there is nothing to watch.</summary>
    /// <param name="startedUnder">Who supervised this process when it started.</param>
    /// <param name="environment">Reads an environment variable (the supervisor's PID, <c>CLAWSHARP_NO_RESPAWN</c>).</param>
    /// <param name="enabled">Reads <c>daemon.resupervise</c> from the configuration in effect.</param>
    /// <param name="commands">The run loop's commands.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The lifecycle log.</param>
    public static SupervisorWatch? Start(SupervisorKind startedUnder, Func<string, string?> environment, Func<bool> enabled,
        ChannelWriter<RunLoopCommand> commands, TimeProvider time, ILogger logger) =>
        startedUnder == SupervisorKind.Builtin && !OperatingSystem.IsWindows()
            && RestartModeSelector.Select(environment, SupervisorKind.None, startedUnder: startedUnder) == RestartMode.SpawnSupervisor
            ? new SupervisorWatch(environment, enabled, commands, time, logger)
            : null;

    public void Dispose() => timer.Dispose();

    private void Look()
    {
        if (Volatile.Read(ref asked) != 0 || SupervisorDetection.Detect(environment, Posix.ParentPid()) != SupervisorKind.None || !enabled())
        {
            return;
        }
        if (Interlocked.Exchange(ref asked, 1) == 0)
        {
            LifecycleLog.SupervisorDiedRestarting(logger);
            const string Source = "supervisor watch";
            commands.TryWrite(new RunLoopCommand.RestartRequested(Source, new RestartAsk(Source, "the built-in supervisor died", false, false, null, null)));
        }
    }
}

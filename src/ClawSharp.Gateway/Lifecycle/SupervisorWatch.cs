using System.Threading.Channels;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Restart;
using ClawSharp.Gateway.ServiceManagers;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// Turns the death of the built-in supervisor that started this gateway (killed, OOM: this
/// process was re-parented) into a restart request, as <see cref="SignalListener"/> turns
/// SIGUSR1 into one: that restart starts a new supervisor on the listening socket
/// (<see cref="RestartMode.SpawnSupervisor"/>), so the next crash is restarted again and no
/// connection is refused. Looks every <see cref="Interval"/> (one getppid). A restart that works
/// replaces this process; while this process stays unsupervised (the request was refused, say
/// the configuration was broken then, or the new supervisor never got ready and the restart fell
/// back in process) it asks again after <see cref="FirstRetry"/>, doubling up to
/// <see cref="LastRetry"/>, so a failing hand-over drains the gateway rarely, not every 2 s.
/// Off with <c>daemon.resupervise: false</c>, and where that restart could not start a
/// supervisor (Windows, <c>CLAWSHARP_NO_RESPAWN=1</c>).
/// </summary>
internal sealed class SupervisorWatch : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan LastRetry = TimeSpan.FromMinutes(30);
    private const string Source = "supervisor watch";

    private readonly Func<string, string?> environment;
    private readonly Func<bool> enabled;
    private readonly ChannelWriter<RunLoopCommand> commands;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly ITimer timer;
    private readonly Lock gate = new();
    private DateTimeOffset? nextAsk;
    private TimeSpan retry = FirstRetry;

    private SupervisorWatch(Func<string, string?> environment, Func<bool> enabled, ChannelWriter<RunLoopCommand> commands, TimeProvider time, ILogger logger)
    {
        this.environment = environment;
        this.enabled = enabled;
        this.commands = commands;
        this.time = time;
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
        if (SupervisorDetection.Detect(environment, Posix.ParentPid()) != SupervisorKind.None || !enabled())
        {
            return;
        }
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (nextAsk is { } due && now < due)
            {
                return;
            }
            var first = nextAsk is null;
            nextAsk = now + retry;
            retry = retry * 2 > LastRetry ? LastRetry : retry * 2;
            if (first)
            {
                LifecycleLog.SupervisorDiedRestarting(logger);
            }
            else
            {
                LifecycleLog.StillUnsupervisedRestarting(logger);
            }
        }
        commands.TryWrite(new RunLoopCommand.RestartRequested(Source, new RestartAsk(Source, "the built-in supervisor died", false, false, null, null)));
    }
}

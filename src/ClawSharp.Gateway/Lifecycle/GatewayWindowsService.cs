using System.Runtime.Versioning;
using System.ServiceProcess;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// The lifetime glue between the Windows service control manager and the run loop, which owns
/// the gateway's lifecycle (no generic host around it). Order: <see cref="OnStart"/> starts the
/// loop on a thread pool thread and returns at once (the SCM waits for it); a stop or a system
/// shutdown becomes a <see cref="RunLoopCommand.StopRequested"/>, as a signal does, and waits
/// for the loop to end; a loop that ends by itself (a restart's exit 75, a failed start) stops
/// the service. The loop's exit code becomes the service's, so that the failure actions
/// (<c>failureflag 1</c>) restart it after anything but a clean stop.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class GatewayWindowsService : ServiceBase
{
    private readonly GatewayRunLoop loop;
    private readonly GatewayConfig config;
    private readonly TimeSpan stopWait;
    private Task<ExitCode>? run;
    // 1 once a stop began (the SCM's, or the loop's own end): ServiceBase.Stop during the SCM's stop would run OnStop twice.
    private int stopping;

    /// <param name="name">The service's name (<c>CLAWSHARP_SERVICE_NAME</c>).</param>
    /// <param name="loop">The run loop to host.</param>
    /// <param name="config">Its first configuration.</param>
    public GatewayWindowsService(string name, GatewayRunLoop loop, GatewayConfig config)
    {
        ServiceName = name;
        CanStop = true;
        CanShutdown = true;
        CanPauseAndContinue = false;
        // The gateway logs itself; the Application event log would only repeat "started"/"stopped".
        AutoLog = false;
        this.loop = loop;
        this.config = config;
        // The watchdog ends the process at the close budget; past the supervisor's margin the SCM would kill it anyway.
        stopWait = new ShutdownBudget(config.Shutdown).SupervisorKillAfter;
    }

    /// <summary>How the loop ended; <see cref="ExitCode.Failure"/> if it never ran.</summary>
    public ExitCode Result { get; private set; } = Gateway.ExitCode.Failure;

    /// <summary>Runs <paramref name="service"/> under the SCM until it stops: blocks the calling thread, as the SCM's dispatcher must.</summary>
    public static ExitCode Run(GatewayWindowsService service)
    {
        ServiceBase.Run(service);
        return service.Result;
    }

    protected override void OnStart(string[] args)
    {
        run = Task.Run(() => loop.RunAsync(config, CancellationToken.None));
        run.ContinueWith(ended =>
        {
            Record(ended);
            if (Interlocked.Exchange(ref stopping, 1) == 0)
            {
                // Ended by itself: tell the SCM, with the code its failure actions decide on.
                Stop();
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    protected override void OnStop() => StopLoop("service control manager stop");

    protected override void OnShutdown() => StopLoop("system shutdown");

    private void StopLoop(string source)
    {
        Interlocked.Exchange(ref stopping, 1);
        loop.Commands.TryWrite(new RunLoopCommand.StopRequested(source));
        if (run is not { } running)
        {
            return;
        }
        // The SCM allows a stop about 20 s unless asked for more: ask for the whole budget.
        RequestAdditionalTime((int)stopWait.TotalMilliseconds);
        if (running.Wait(stopWait))
        {
            Record(running);
        }
    }

    private void Record(Task<ExitCode> ended)
    {
        Result = ended.IsCompletedSuccessfully ? ended.Result : Gateway.ExitCode.Failure;
        ExitCode = (int)Result;
    }
}

using System.Diagnostics;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Protocol;
using ClawSharp.Gateway.Server;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// Starts production generations. Order of a start: log the configuration's warnings; take the
/// lock; keep, adopt (from systemd's socket activation, a respawning parent or the supervisor) or
/// bind the listening socket;
/// record the port in the lock; load or create the token; build and start a
/// <see cref="GatewayServer"/> on a fresh duplicate of the socket. Any failure releases what
/// this start took. The socket itself is held across generations, so an in-process restart
/// refuses no connection.
/// </summary>
internal sealed class GenerationStarter : IGenerationStarter, IDisposable
{
    private readonly GatewayRunSettings settings;
    private readonly GatewayClaim claim;
    private readonly Logging.GatewayLogging logging;
    private readonly ILoggerFactory loggerFactory;
    private readonly ILogger logger;
    private readonly AuthFailureLimiter authLimiter;
    private readonly GenerationHooks hooks;
    private readonly DateTimeOffset processStartedAt;
    private readonly GatewayHistory history;
    private readonly IdleMemoryTrimmer trimmer;
    private bool restartStartFaultUsed;

    public GenerationStarter(GatewayRunSettings settings, Logging.GatewayLogging logging, ILogger logger, GenerationHooks hooks)
    {
        this.settings = settings;
        this.logging = logging;
        loggerFactory = logging.Factory;
        this.logger = logger;
        this.hooks = hooks;
        claim = new GatewayClaim(settings.State, settings.Force, settings.Supervisor, settings.Spawned, settings.Activation, logger);
        authLimiter = new AuthFailureLimiter(settings.Time);
        history = new GatewayHistory(settings.Time, hooks.Restarts);
        trimmer = new IdleMemoryTrimmer(settings.Time, logger);
        using var process = Process.GetCurrentProcess();
        processStartedAt = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
    }

    /// <summary>The listening socket, once bound; a fresh-PID respawn hands it over.</summary>
    public ListenSocket? Listener { get; private set; }

    public GatewayConfig LoadConfig() => ConfigLoader.Load(settings.State, settings.Overrides);

    public string? NextStartProblem()
    {
        try
        {
            LoadConfig();
        }
        catch (ConfigException e)
        {
            return e.Message;
        }
        return Storage.StoreOpenCheck.Problem(settings.State.StoreFile);
    }

    public async Task<GenerationStart> StartAsync(GatewayConfig config, bool firstStart, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        foreach (var warning in config.Warnings)
        {
            LifecycleLog.ConfigWarning(logger, warning);
        }
        var options = config.Gateway;
        var (gatewayLock, lockFailure) = await claim.AcquireLockAsync(options, firstStart, cancellationToken).ConfigureAwait(false);
        if (lockFailure is { } code)
        {
            return new GenerationStart.Failed(code);
        }
        // Only a process that owns the lock writes logs/gateway.log: a refused duplicate logs to its console alone.
        logging.BeginFileLogging();
        (Listener, var bindFailure) = await claim.EnsureListeningAsync(Listener, options, firstStart, cancellationToken).ConfigureAwait(false);
        if (bindFailure is { } bindCode)
        {
            gatewayLock!.Dispose();
            return new GenerationStart.Failed(bindCode);
        }
        GatewayServer? server = null;
        try
        {
            // Inside the try: a lock file that cannot be written (a full disk) fails this start, it does not escape the loop.
            gatewayLock!.RecordPort(Listener!.Endpoint.Port);
            if (!firstStart && settings.Faults.FailRestartStart && !restartStartFaultUsed)
            {
                restartStartFaultUsed = true;
                throw new IOException("test fault fail-restart-start");
            }
            if (settings.Faults.FailStartWhenMarked && File.Exists(Path.Combine(settings.State.Root, Diagnostics.GatewayFaults.StartFailsMarker)))
            {
                throw new IOException("test fault fail-start-when-marked");
            }
            // The generation reads its settings through the live holder from now on, so a config reload reaches it.
            hooks.Live.Swap(config);
            server = GatewayServer.Create(new GatewayServerSettings(config, settings.State, Listener, Secret(options), loggerFactory, authLimiter,
                hooks.RunState, processStartedAt, hooks.Restarts, settings.Faults, hooks.SubmitRestart, settings.Time, hooks.Live)
            { History = history, NextStartProblem = NextStartProblem });
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            return new GenerationStart.Started(new GatewayGeneration(config, gatewayLock, server, started, logger, settings.Time));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (e is Storage.StoreException or ConfigException or IOException)
            {
                ClaimLog.StartFailed(logger, e.Message);
            }
            else
            {
                ClaimLog.StartFailed(logger, e, e.Message);
            }
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            gatewayLock!.Dispose();
            return new GenerationStart.Failed(e is Storage.StoreException or ConfigException ? ExitCode.Config : ExitCode.Failure);
        }
    }

    public void ReleaseListener()
    {
        Listener?.Dispose();
        Listener = null;
    }

    public void Dispose()
    {
        history.Dispose();
        trimmer.Dispose();
        ReleaseListener();
        authLimiter.Dispose();
    }

    private string? Secret(GatewayOptions options) => options.AuthMode switch
    {
        AuthMode.Token => TokenStore.LoadOrCreate(settings.State, options),
        AuthMode.Password => options.Password,
        _ => null,
    };
}

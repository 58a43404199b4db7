using ClawSharp.Gateway.Agents;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Http;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Metrics;
using ClawSharp.Gateway.Protocol;
using ClawSharp.Gateway.Protocol.Methods;
using ClawSharp.Gateway.Storage;
using ClawSharp.Gateway.Work;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Server;

/// <summary>What one server generation is built from.</summary>
internal sealed record GatewayServerSettings(
    GatewayConfig Config,
    StateDirectory State,
    ListenSocket Listener,
    string? Secret,
    ILoggerFactory LoggerFactory,
    AuthFailureLimiter AuthLimiter,
    Func<string> RunState,
    DateTimeOffset ProcessStartedAt,
    Func<int> Restarts,
    GatewayFaults Faults,
    Action<Restart.RestartSubmission> SubmitRestart,
    TimeProvider Time,
    LiveConfig Live)
{
    /// <summary>The process's sampler (<c>gateway.history</c>); this generation attaches its work counters while it serves.</summary>
    public GatewayHistory? History { get; init; }

    /// <summary>Why the next start would fail (<c>gateway.restart.preflight</c> tells the operator); null when it would start.</summary>
    public Func<string?> NextStartProblem { get; init; } = () => null;
}

/// <summary>
/// One server generation: a fresh Kestrel server (<see cref="KestrelEndpoint"/>) serving on a duplicate of the
/// process's listening socket. Start once, stop once, dispose; an in-process restart builds a new one
/// (Kestrel is start-once, so the cycle lives in the run loop, <c>Lifecycle.GatewayRunLoop</c>).
/// </summary>
internal sealed class GatewayServer : IAsyncDisposable
{
    private static readonly TimeSpan ConnectionCloseGrace = TimeSpan.FromSeconds(2);
    private readonly KestrelEndpoint http;
    private readonly ConnectionRegistry connections;
    private readonly GatewayFaults faults;
    private readonly int listenDescriptor;
    private readonly GatewayHistory? history;
    private readonly Func<WorkCounters> counters;

    private GatewayServer(KestrelEndpoint http, ReadinessState readiness, ConnectionRegistry connections, GatewayRuntimeInfo runtime, GatewayFaults faults, int listenDescriptor,
        WorkHost work, Restart.RestartControl restart, GatewayHistory? history)
    {
        this.history = history;
        counters = () => work.Counters;
        this.http = http;
        Readiness = readiness;
        Work = work;
        Restart = restart;
        this.connections = connections;
        this.faults = faults;
        this.listenDescriptor = listenDescriptor;
        Runtime = runtime;
    }

    public ReadinessState Readiness { get; }
    public GatewayRuntimeInfo Runtime { get; }

    /// <summary>This generation's work model: store, lanes, outbox, tasks.</summary>
    public WorkHost Work { get; }

    /// <summary>This generation's preflight and restart requests.</summary>
    public Restart.RestartControl Restart { get; }

    public static GatewayServer Create(GatewayServerSettings settings)
    {
        var runtime = new GatewayRuntimeInfo
        {
            BootId = SecureRandom.Hex(8),
            IterationStartedAt = settings.Time.GetUtcNow(),
            ProcessStartedAt = settings.ProcessStartedAt,
            Endpoint = settings.Listener.Endpoint,
            State = settings.State,
            AuthMode = settings.Config.Gateway.AuthMode,
            RunState = settings.RunState,
            Time = settings.Time,
            Restarts = settings.Restarts,
        };
        var connections = new ConnectionRegistry(settings.Time, ProtocolConstants.DefaultTickInterval);
        var workLogger = settings.LoggerFactory.CreateLogger("ClawSharp.Work");
        GatewayStore store;
        try
        {
            store = GatewayStore.Open(settings.State.StoreFile, settings.Time, settings.Config.Store.Durability,
                commitPause: settings.Faults.SlowStoreCommit ? GatewayFaults.SlowCommitPause : TimeSpan.Zero);
        }
        catch
        {
            connections.Dispose();
            throw;
        }
        var children = new ExecChildren(store);
        var work = new WorkHost(store, new AgentCatalog(() => settings.Live.Current.Agents, settings.State, Environment.GetEnvironmentVariable, settings.Time, children),
            settings.Live, connections, workLogger, settings.Time, children);
        var descriptor = settings.Listener.DuplicateForServer();
        try
        {
            var restart = new Restart.RestartControl(settings.SubmitRestart, () => settings.Live.Current.Restart, work, settings.Time, settings.NextStartProblem);
            var gateway = settings.Config.Gateway;
            var authenticator = new ConnectAuthenticator(gateway.AuthMode, settings.Secret, gateway.Tokens, gateway.NoneScopes);
            var origins = OriginPolicy.For(settings.Listener.Endpoint, gateway.AllowedOrigins);
            var httpLogger = settings.LoggerFactory.CreateLogger("ClawSharp.Http");
            var protocol = new ControlProtocolContext
            {
                Methods = new MethodRegistry()
                    .AddGatewayInfoMethods(runtime, connections, () => work.Counters, settings.Live)
                    .AddChatMethods(work, connections)
                    .AddTaskMethods(work, settings.Time)
                    .AddRestartMethods(restart)
                    .AddOperatorMethods(settings.State, runtime, settings.History),
                Authenticator = authenticator,
                AuthLimiter = settings.AuthLimiter,
                Runtime = runtime,
                Connections = connections,
                Logger = settings.LoggerFactory.CreateLogger("ClawSharp.Protocol"),
                LateFrameReads = settings.Faults.LateFrameRead,
            };
            var messages = new MessagesEndpoint(work, authenticator, settings.AuthLimiter, origins, httpLogger, settings.Time);
            var readiness = new ReadinessState();
            var endpoints = new GatewayHttpEndpoints(readiness, protocol, runtime, messages, origins, httpLogger);
            // gateway.tls: TLS on the same handed-over socket; the certificate is read at each
            // generation, so a restart picks up a renewed one. (The config check loaded it already.)
            var limit = ConnectionLimit.ForThisProcess(gateway.MaxConnections, httpLogger, settings.Time);
            var http = KestrelEndpoint.Create(descriptor, gateway.Tls?.Load(), limit, settings.LoggerFactory,
                WithMetrics(endpoints.HandleAsync, settings.Listener.Endpoint.Address, authenticator, new BearerRefusal(settings.AuthLimiter, httpLogger, settings.Time)));
            var server = new GatewayServer(http, readiness, connections, runtime, settings.Faults, descriptor, work, restart, settings.History);
            GatewayMetrics.ObserveWork(() => work.Counters is var now
                ? new MetricsGauges(now.QueueSize, now.PendingReplies, now.ActiveTasks, connections.Count) : null);
            return server;
        }
        catch
        {
            work.DisposeAsync().AsTask().GetAwaiter().GetResult();
            connections.Dispose();
            Infrastructure.Posix.Close(descriptor);
            throw;
        }
    }

    /// <summary>Starts serving and marks the generation ready.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Work.Start();
        await http.StartAsync(cancellationToken).ConfigureAwait(false);
        Readiness.Set(Http.Readiness.Ready);
        history?.Attach(counters);
    }

    /// <summary>Starts a restart's drain: /readyz turns 503 and new work is refused; connections and reads keep working.</summary>
    public void BeginDraining() => Refuse(Http.Readiness.Draining);

    /// <summary>
    /// Order: /readyz turns 503 and new work is refused; every connection gets
    /// <c>shutdown</c> and a close frame (1012 on a restart, 1001 on a stop); runs still going
    /// are cut and queued again for the next start; Kestrel stops.
    /// </summary>
    public async Task StopAsync(bool restart, string reason, CancellationToken cancellationToken)
    {
        Refuse(Http.Readiness.ShuttingDown);
        history?.Detach(counters);
        await connections.CloseAllAsync(reason, restart, ConnectionCloseGrace, cancellationToken).ConfigureAwait(false);
        if (faults.HangOnStop)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
        await Work.StopAsync().ConfigureAwait(false);
        await http.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        history?.Detach(counters);
        await http.DisposeAsync().ConfigureAwait(false);
        await Work.DisposeAsync().ConfigureAwait(false);
        connections.Dispose();
        Infrastructure.Posix.Close(listenDescriptor);
    }

    /// <summary>The one path that turns new work away: /readyz says why, and the work gate refuses.</summary>
    private void Refuse(Http.Readiness readiness)
    {
        Readiness.Set(readiness);
        Work.BeginDrain();
    }

    /// <summary>
    /// <c>GET /metrics</c> from the process's registry (<see cref="MetricsExporter"/>), ahead of the
    /// other endpoints and outside the drain gate: it answers while /readyz says 503.
    /// </summary>
    private static RequestDelegate WithMetrics(RequestDelegate next, System.Net.IPAddress bound, ConnectAuthenticator authenticator, BearerRefusal refusal) =>
        async context =>
        {
            if (context.Request.Path != "/metrics")
            {
                await next(context).ConfigureAwait(false);
                return;
            }
            if (!HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                context.Response.Headers.Allow = "GET";
                return;
            }
            if (!MetricsAccess.Allowed(bound, context.Request.Headers.Authorization.ToString(), token => authenticator.FromBearer(token) is not null))
            {
                // Throttled and logged as every failed credential is: else a guesser's fastest way in.
                await refusal.RefuseAsync(context, "GET /metrics").ConfigureAwait(false);
                return;
            }
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            await MetricsExporter.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        };
}

using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClawSharp.Gateway.Server;

/// <summary>
/// Kestrel serving one handed-over socket, built by hand instead of through the Generic Host: a
/// server, its socket transport, the WebSocket middleware and the gateway's request handler. The
/// host's dependency-injection container resolved ~100 services by reflection at every start, and
/// under Native AOT each open generic it closed (options, enumerables) was built by the runtime's
/// type loader: two thirds of what a start allocated (3.2 -> 1.0 MB), and the hosting code's type
/// data was rehydrated at every start (bench/RESULTS.md, "Memory (issue 18, part 5)"). Kestrel's
/// HTTPS support resolves its services from <see cref="KestrelServerOptions.ApplicationServices"/>,
/// so with gateway.tls (and only then) a small container of Kestrel's own services is built for it
/// (<see cref="KestrelServiceCollection"/>).
/// </summary>
internal sealed class KestrelEndpoint : IAsyncDisposable
{
    /// <summary>How long a stop waits for open requests before Kestrel aborts them (the host's default, which this replaced).</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly ConnectionLimit limit;
    private readonly KestrelServer server;
    private readonly IHttpApplication<HttpContext> application;
    private readonly ServiceProvider? tlsServices;

    private KestrelEndpoint(KestrelServer server, IHttpApplication<HttpContext> application, ServiceProvider? tlsServices, ConnectionLimit limit)
    {
        this.server = server;
        this.application = application;
        this.tlsServices = tlsServices;
        this.limit = limit;
    }

    /// <param name="descriptor">The listening socket Kestrel takes over (closed by the caller).</param>
    /// <param name="certificate">gateway.tls's certificate; null serves plain HTTP and WebSocket.</param>
    /// <param name="limit">Holds the open connections to a limit (before any TLS handshake); disposed with the endpoint.</param>
    /// <param name="loggerFactory">The gateway's logging, for Kestrel's own messages.</param>
    /// <param name="handler">Every request, after the WebSocket middleware has marked upgrades.</param>
    public static KestrelEndpoint Create(int descriptor, X509Certificate2? certificate, ConnectionLimit limit, ILoggerFactory loggerFactory, RequestDelegate handler)
    {
        var options = new KestrelServerOptions { AddServerHeader = false };
        var tlsServices = certificate is null ? null : TlsServices(loggerFactory);
        if (tlsServices is not null)
        {
            options.ApplicationServices = tlsServices;
        }
        try
        {
            options.ListenHandle((ulong)descriptor, listen =>
            {
                listen.Use(limit.Around);
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
            var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory);
            var server = new KestrelServer(Options.Create(options), transport, loggerFactory);
            var webSockets = new WebSocketMiddleware(handler, Options.Create(new WebSocketOptions { KeepAliveInterval = Http.WebSocketHandshake.KeepAliveInterval }), loggerFactory);
            return new KestrelEndpoint(server, new Application(webSockets.Invoke), tlsServices, limit);
        }
        catch
        {
            tlsServices?.Dispose();
            throw;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => server.StartAsync(application, cancellationToken);

    /// <summary>Stops accepting, lets open requests finish for up to <see cref="ShutdownTimeout"/>, then aborts them.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ShutdownTimeout);
        await server.StopAsync(timeout.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        server.Dispose();
        limit.Dispose();
        if (tlsServices is not null)
        {
            await tlsServices.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What Kestrel's HTTPS support resolves: its services (<c>UseKestrelCore</c>, <c>UseKestrelHttpsConfiguration</c>)
    /// and what a host would have added for them (logging, metrics, the environment).
    /// </summary>
    private static ServiceProvider TlsServices(ILoggerFactory loggerFactory)
    {
        var services = new ServiceCollection();
        new KestrelServiceCollection(services).UseKestrelCore().UseKestrelHttpsConfiguration();
        services.AddSingleton(loggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddMetrics();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { ApplicationName = "clawsharp", EnvironmentName = Environments.Production });
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// What the host's application did, without its per-request services: a context over Kestrel's features,
    /// reused for the next request on the same connection (Kestrel keeps it in the connection, as it did the host's).
    /// </summary>
    private sealed class Application(RequestDelegate pipeline) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures)
        {
            if (contextFeatures is not IHostContextContainer<HttpContext> container)
            {
                return new DefaultHttpContext(contextFeatures);
            }
            if (container.HostContext is DefaultHttpContext reused)
            {
                reused.Initialize(contextFeatures);
                return reused;
            }
            return container.HostContext = new DefaultHttpContext(contextFeatures);
        }

        public Task ProcessRequestAsync(HttpContext context) => pipeline(context);

        public void DisposeContext(HttpContext context, Exception? exception) => ((DefaultHttpContext)context).Uninitialize();
    }
}

using System.Diagnostics;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Restart;
using ClawSharp.Gateway.Server;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// A generation as production runs it: the lock and one <see cref="GatewayServer"/>. Closing
/// stops the server, disposes it and releases the lock, in that order, attempting each.
/// </summary>
internal sealed class GatewayGeneration(GatewayConfig config, GatewayLock gatewayLock, GatewayServer server, long startedAt, ILogger logger,
    TimeProvider time) : IGatewayGeneration
{
    public GatewayConfig Config => config;

    public GenerationInfo Info { get; } = new(server.Runtime.BootId, server.Runtime.IterationStartedAt);

    public string ServingOn => server.Runtime.Endpoint.ToString();

    public PreflightResult Preflight() => server.Restart.Preflight();

    public void BeginDraining() => server.BeginDraining();

    public Task DrainAsync(bool restart, TimeSpan budget, CancellationToken cancellationToken)
    {
        var drain = new RestartDrain(logger, time, restart);
        drain.LogBlockers(Preflight());
        return drain.WaitAsync(server.Work, budget, cancellationToken);
    }

    public void AnnounceReady()
    {
        var endpoint = server.Runtime.Endpoint;
        LifecycleLog.Ready(logger, $"{(config.Gateway.Tls is null ? "ws" : "wss")}://{LocalAddress.For(endpoint.Address)}:{endpoint.Port}", Environment.ProcessId,
            server.Runtime.BootId, config.Gateway.AuthMode.ToString().ToLowerInvariant(), Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds);
    }

    public async Task CloseAsync(bool restart, CancellationToken cancellationToken)
    {
        try
        {
            await server.StopAsync(restart, restart ? "gateway restarting" : "gateway stopping", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LifecycleLog.CloseFailed(logger, e);
        }
        finally
        {
            await server.DisposeAsync().ConfigureAwait(false);
            gatewayLock.Dispose();
        }
    }
}

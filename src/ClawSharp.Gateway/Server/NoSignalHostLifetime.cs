using Microsoft.Extensions.Hosting;

namespace ClawSharp.Gateway.Server;

/// <summary>
/// A host lifetime that listens to nothing. The default console lifetime turns SIGTERM into
/// a stop whatever else is registered; signals belong to the run loop (<c>Lifecycle.SignalListener</c>),
/// which outlives every per-iteration host.
/// </summary>
internal sealed class NoSignalHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

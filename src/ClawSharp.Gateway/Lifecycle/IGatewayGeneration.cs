using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Restart;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// One start of the gateway (a generation): the lock it holds, the server it runs and the
/// configuration it was started with, created together and closed together. The listening
/// socket outlives generations (<see cref="IGenerationStarter"/> holds it).
/// Production: <see cref="GatewayGeneration"/>; the loop's decision tests pass a fake.
/// </summary>
internal interface IGatewayGeneration
{
    GatewayConfig Config { get; }

    /// <summary>Its boot id and when it started (a restart request made before that is already satisfied).</summary>
    GenerationInfo Info { get; }

    /// <summary>The active work now (the restart preflight).</summary>
    PreflightResult Preflight();

    /// <summary>Starts a restart's or a stop's drain: new work is refused, /readyz turns 503.</summary>
    void BeginDraining();

    /// <summary>Waits until no work is active or the budget is spent; returns early when cancelled (a stop, or a second stop signal).</summary>
    /// <param name="restart">A restart's drain, else a stop's (the log says which).</param>
    /// <param name="budget">How long it may wait.</param>
    /// <param name="cancellationToken">Cuts the drain short.</param>
    Task DrainAsync(bool restart, TimeSpan budget, CancellationToken cancellationToken);

    /// <summary>Where it serves, <c>ADDR:PORT</c> (the service manager's status line).</summary>
    string ServingOn { get; }

    /// <summary>Logs that the generation serves (after the loop entered Running, so a reader of that line sees the state).</summary>
    void AnnounceReady();

    /// <summary>Closes the server (connections get 1012 on a restart, 1001 on a stop), disposes it and releases the lock. Never throws but for a cancellation.</summary>
    Task CloseAsync(bool restart, CancellationToken cancellationToken);
}

using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>Starts generations and holds what outlives them: the listening socket.</summary>
internal interface IGenerationStarter
{
    /// <summary>Reads the configuration anew (an in-process restart); throws <see cref="ConfigException"/>.</summary>
    GatewayConfig LoadConfig();

    /// <summary>Takes the lock, makes sure the socket listens, starts a server: the generation, or the exit code a first start ends with.</summary>
    Task<GenerationStart> StartAsync(GatewayConfig config, bool firstStart, CancellationToken cancellationToken);

    /// <summary>
    /// What would stop the next start, checked before a restart drains anything: the
    /// configuration must load, the store must open at a schema this build can migrate. Null when
    /// nothing would.
    /// </summary>
    string? NextStartProblem();

    /// <summary>A process that cannot serve must not hold the port: clients would queue in the backlog and hang.</summary>
    void ReleaseListener();
}

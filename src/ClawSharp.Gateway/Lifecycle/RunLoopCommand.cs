using ClawSharp.Gateway.Restart;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>What signal and RPC handlers ask of the run loop. They only write these to its channel.</summary>
internal abstract record RunLoopCommand(string Source)
{
    /// <summary>Stop for good (SIGTERM, SIGINT, Ctrl+C, a service manager).</summary>
    public sealed record StopRequested(string Source) : RunLoopCommand(Source);

    /// <summary>
    /// Time to tell the service manager's watchdog that the loop is alive. Not a lifecycle
    /// decision: the loop answers it in every state, outside <see cref="RunLoopPolicy"/>.
    /// </summary>
    public sealed record Heartbeat() : RunLoopCommand("watchdog timer");

    /// <summary>
    /// <c>config.json</c> changed (the watcher, debounced). Not a lifecycle decision by itself:
    /// the loop has <see cref="ConfigReloader"/> apply it, and a restart it needs is decided as
    /// a <see cref="RestartRequested"/> like any other.
    /// </summary>
    public sealed record ConfigChanged() : RunLoopCommand("config watcher");

    /// <summary>Close and start again.</summary>
    /// <param name="Source">Who asked: <c>SIGUSR1</c>, <c>SIGTERM+intent</c>, <c>rpc</c>.</param>
    /// <param name="Ask">What was asked: a reason, force, a drain cap.</param>
    /// <param name="Requester">An RPC waiting for the loop's decision; null for a signal, which nobody answers.</param>
    public sealed record RestartRequested(string Source, RestartAsk Ask, RestartSubmission? Requester = null) : RunLoopCommand(Source)
    {
        /// <summary>A bare signal: the restart intent file, if any, fills in the ask.</summary>
        public static RestartRequested Signal(string source) => new(source, new RestartAsk(source, null, false, false, null, null));

        /// <summary>An RPC: it waits for the loop's decision.</summary>
        public static RestartRequested Rpc(RestartSubmission request) => new(request.Ask.Source, request.Ask, request);
    }
}

using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Restart;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// Gives a signal the meaning its restart intent file asks for (ARCHITECTURE.md §3, "Signals"):
/// a SIGTERM with a valid intent for this process means restart; a SIGUSR1 takes the intent's
/// options (force, drain cap, reason). The intent file is consumed (deleted) either way; an
/// invalid or stale one is logged and ignored.
/// </summary>
internal sealed class SignalIntentResolver(StateDirectory state, TimeProvider time, ILogger logger)
{
    public RunLoopCommand Resolve(RunLoopCommand command)
    {
        var fromSignal = command is RunLoopCommand.StopRequested { Source: "SIGTERM" }
            || command is RunLoopCommand.RestartRequested { Requester: null, Source: "SIGUSR1" };
        if (!fromSignal)
        {
            return command;
        }
        var intent = RestartIntentStore.Consume(state, Environment.ProcessId, time.GetUtcNow(), out var warning);
        if (warning is not null)
        {
            LifecycleLog.IntentIgnored(logger, warning);
        }
        if (intent is null)
        {
            return command;
        }
        var source = command is RunLoopCommand.StopRequested ? "SIGTERM+intent" : command.Source;
        return new RunLoopCommand.RestartRequested(source, new RestartAsk(source, intent.Reason, false, false, intent.Force, intent.WaitMs)
        {
            RequestedAt = intent.RequestedAt is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
        });
    }
}

using System.Threading.Channels;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.Work;

namespace ClawSharp.Gateway.Restart;

/// <summary>
/// The restart entry points of one server generation: the preflight over its work, and
/// requests decided by the process-wide <see cref="RestartCoordinator"/> and handed to the
/// run loop as a command. RPC handlers and signals both end up here, so both are coalesced.
/// </summary>
public sealed class RestartControl(RestartCoordinator coordinator, ChannelWriter<RunLoopCommand> commands, RestartOptions options,
    WorkHost work, TimeProvider time)
{
    public bool Enabled => options.Enabled;

    public PreflightResult Preflight() => RestartPreflight.Compute(work.Counters, work.RunningTasks(), time.GetUtcNow());

    /// <summary>Decides; the returned action hands a new restart to the run loop (call it once the answer is sent).</summary>
    public (RestartRequestResult Result, Action? Begin) Request(RestartAsk ask)
    {
        var preflight = Preflight();
        var decision = coordinator.Decide(ask, preflight, options);
        var result = new RestartRequestResult(true, decision.Status, preflight, decision.Info, decision.Interruption);
        return (result, decision.Plan is { } plan
            ? () => commands.TryWrite(new RunLoopCommand.RestartRequested(ask.Source, plan.Reason) { Plan = plan })
            : null);
    }
}

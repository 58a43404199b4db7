using ClawSharp.Gateway.ServiceManagers;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// The restart mode as things stand at the moment of a restart: <see cref="RestartModeSelector"/>
/// (pure) fed with the environment and with who supervises this process now. A built-in
/// supervisor that has died (this process was re-parented) cannot restart it, so an exit 75
/// would leave no gateway at all: then the gateway restarts itself under a new supervisor, and says so.
/// </summary>
/// <param name="environment">Reads an environment variable.</param>
/// <param name="startedUnder">Who supervised this process when it started.</param>
/// <param name="supervisorNow">Who supervises it now; null detects it from the environment and the parent PID.</param>
/// <param name="logger">The lifecycle log.</param>
internal sealed class CurrentRestartMode(Func<string, string?> environment, SupervisorKind startedUnder, Func<SupervisorKind>? supervisorNow, ILogger logger)
{
    /// <summary>The mode for a restart with this reason, and the supervisor's name for the log.</summary>
    public (RestartMode Mode, string Supervisor) For(string reason)
    {
        var supervisor = supervisorNow?.Invoke() ?? Detect();
        return (RestartModeSelector.Select(environment, supervisor, reason, startedUnder: startedUnder), supervisor.ToString().ToLowerInvariant());
    }

    private SupervisorKind Detect()
    {
        var now = SupervisorDetection.Detect(environment, Infrastructure.Posix.ParentPid());
        if (now != startedUnder)
        {
            LifecycleLog.SupervisorGone(logger, startedUnder.ToString().ToLowerInvariant());
        }
        return now;
    }
}

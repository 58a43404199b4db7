using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>Log messages of the run loop; event ids in the gateway's 1000–1099 range, shared with the other lifecycle folders. Tests assert on ids and texts.</summary>
internal static partial class LifecycleLog
{
    [LoggerMessage(1000, LogLevel.Information, "state {From} -> {To} ({Reason})")]
    public static partial void StateChanged(ILogger logger, string from, string to, string reason);

    [LoggerMessage(1001, LogLevel.Critical, "illegal state change {From} -> {To} ({Reason})")]
    public static partial void IllegalTransition(ILogger logger, string from, string to, string reason);

    [LoggerMessage(1002, LogLevel.Information, "gateway ready on {Url} (pid {Pid}, boot {BootId}, auth {AuthMode}) in {ElapsedMs:F0} ms")]
    public static partial void Ready(ILogger logger, string url, int pid, string bootId, string authMode, double elapsedMs);

    [LoggerMessage(1011, LogLevel.Information, "{Command} from {Source}: {Action} ({Reason})")]
    public static partial void CommandDecided(ILogger logger, string command, string source, string action, string reason);

    [LoggerMessage(1012, LogLevel.Information, "gateway stopped ({Reason})")]
    public static partial void Stopped(ILogger logger, string reason);

    [LoggerMessage(1013, LogLevel.Information, "gateway restarted in process in {ElapsedMs:F0} ms (restart {Count})")]
    public static partial void Restarted(ILogger logger, double elapsedMs, int count);

    [LoggerMessage(1014, LogLevel.Critical, "shutdown watchdog: {What} overran its {BudgetMs} ms budget; stability bundle {Bundle}; exiting 1")]
    public static partial void WatchdogExpired(ILogger logger, string what, long budgetMs, string bundle);

    [LoggerMessage(1015, LogLevel.Error, "in-process restart failed: {Reason}; lock released, stability bundle {Bundle}; send SIGUSR1 to try again")]
    public static partial void RestartStartFailed(ILogger logger, string reason, string bundle);

    [LoggerMessage(1018, LogLevel.Warning, "{Warning}")]
    public static partial void ConfigWarning(ILogger logger, string warning);

    [LoggerMessage(1020, LogLevel.Error, "error while closing the server")]
    public static partial void CloseFailed(ILogger logger, Exception exception);

    [LoggerMessage(1021, LogLevel.Information, "restart from {Source} joined the restart already pending")]
    public static partial void RestartCoalesced(ILogger logger, string source);

    [LoggerMessage(1022, LogLevel.Warning, "restart intent {Warning}")]
    public static partial void IntentIgnored(ILogger logger, string warning);

    [LoggerMessage(1028, LogLevel.Warning, "{Command} from {Source} ignored: {Reason}")]
    public static partial void CommandIgnored(ILogger logger, string command, string source, string reason);

    [LoggerMessage(1029, LogLevel.Information, "restart: exiting 75 so that the {Supervisor} supervisor starts a fresh process")]
    public static partial void ExitingForSupervisor(ILogger logger, string supervisor);

    [LoggerMessage(1038, LogLevel.Warning, "test fault spawned-child-never-ready: spawned by pid {ParentPid}, not starting; waiting for a stop")]
    public static partial void NeverReadyFault(ILogger logger, int parentPid);

    [LoggerMessage(1044, LogLevel.Warning, "the built-in supervisor that started this gateway died; asking for a restart under a new one (daemon.resupervise)")]
    public static partial void SupervisorDiedRestarting(ILogger logger);

    [LoggerMessage(1045, LogLevel.Warning, "still without a supervisor after the last restart request; asking again for a restart under a new one (daemon.resupervise)")]
    public static partial void StillUnsupervisedRestarting(ILogger logger);

    [LoggerMessage(1039, LogLevel.Warning, "the {Supervisor} supervisor that started this gateway is gone")]
    public static partial void SupervisorGone(ILogger logger, string supervisor);

    [LoggerMessage(1040, LogLevel.Error, "restart from {Source} not started: counting the active work failed ({Reason}); still serving")]
    public static partial void RestartRefused(ILogger logger, string source, string reason);

    [LoggerMessage(1050, LogLevel.Information, "restart from {Source}: already satisfied by generation {BootId}, which started after the request; no restart")]
    public static partial void RestartSatisfied(ILogger logger, string source, string bootId);

    [LoggerMessage(1051, LogLevel.Error, "restart from {Source} refused: the next start would fail: {Problem}; still serving")]
    public static partial void RestartRefusedNextStart(ILogger logger, string source, string problem);

    [LoggerMessage(1052, LogLevel.Warning, "restart from {Source} escalates the pending restart: {Escalation}")]
    public static partial void RestartEscalated(ILogger logger, string source, string escalation);

    [LoggerMessage(1053, LogLevel.Warning, "test fault wedge-loop-when-marked: the run loop blocks for good; the watchdog pings stop")]
    public static partial void WedgeLoopFault(ILogger logger);

    [LoggerMessage(1054, LogLevel.Information, "stop: draining for up to {BudgetMs} ms: new work is refused, active runs, replies and tasks may finish")]
    public static partial void StopDrainStarted(ILogger logger, long budgetMs);

    [LoggerMessage(1055, LogLevel.Warning, "stop: the drain was cut short by {Source}; what still runs is cut and queued again")]
    public static partial void StopDrainCut(ILogger logger, string source);
    [LoggerMessage(1056, LogLevel.Information, "restart: launchctl kickstart -k {Target}: launchd stops this process and starts a fresh one; exiting 75")]
    public static partial void LaunchdKickstarted(ILogger logger, string target);

    [LoggerMessage(1057, LogLevel.Warning, "restart: launchctl kickstart -k {Target} failed ({Why}); restarting in process instead")]
    public static partial void LaunchdKickstartFailed(ILogger logger, string target, string why);

    [LoggerMessage(5000, LogLevel.Information, "config reload: {File} changed: applied live: {Keys}")]
    public static partial void ConfigApplied(ILogger logger, string file, string keys);

    [LoggerMessage(5001, LogLevel.Error, "config reload: the change to {File} is refused: {Problem}; the gateway keeps running on the config it has")]
    public static partial void ConfigRefused(ILogger logger, string file, string problem);

    [LoggerMessage(5002, LogLevel.Information, "config reload: {Keys} changed in {File}: a safe restart is requested (reason config.reload, gateway.reload.mode {Mode})")]
    public static partial void ConfigRestartRequested(ILogger logger, string keys, string file, string mode);

    [LoggerMessage(5003, LogLevel.Warning,
        "config reload: {Keys} changed in {File} and need a restart, which gateway.reload.mode hot does not do: run 'clawsharp gateway restart --safe' to apply them")]
    public static partial void ConfigRestartNeeded(ILogger logger, string keys, string file);

    [LoggerMessage(5004, LogLevel.Information, "config reload: {File} changed ({Keys}); ignored: gateway.reload.mode is off")]
    public static partial void ConfigIgnored(ILogger logger, string file, string keys);

    [LoggerMessage(5005, LogLevel.Debug, "config reload: {File} was written without a change in effect")]
    public static partial void ConfigUnchanged(ILogger logger, string file);

    [LoggerMessage(5006, LogLevel.Warning, "config reload: cannot watch {Directory} ({Error}); changes to config.json are not applied until a restart")]
    public static partial void ConfigWatchFailed(ILogger logger, string directory, string error);

    [LoggerMessage(5007, LogLevel.Information, "config reload: {Keys} changed in {File} but the command line sets them; the command line stays in effect")]
    public static partial void ConfigOverridden(ILogger logger, string keys, string file);

    /// <summary>Logs what the loop decided about a command: ignored ones as a warning, the rest as information.</summary>
    public static void Decision(ILogger logger, RunLoopCommand command, LoopDecision decision)
    {
        var name = command is RunLoopCommand.StopRequested ? "stop" : "restart";
        if (decision.Action == LoopAction.Ignore)
        {
            CommandIgnored(logger, name, command.Source, decision.Reason);
            return;
        }
        CommandDecided(logger, name, command.Source, decision.Action.ToString(), decision.Reason);
    }

    [LoggerMessage(1100, LogLevel.Information, "quiet after a burst: memory trimmed, RSS {BeforeMiB} MiB -> {AfterMiB} MiB in {ElapsedMs:F1} ms")]
    public static partial void MemoryTrimmed(ILogger logger, long beforeMiB, long afterMiB, double elapsedMs);
}

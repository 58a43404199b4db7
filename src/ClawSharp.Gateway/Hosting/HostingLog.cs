using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Hosting;

/// <summary>Log messages of the run loop; event ids 1000–1099. Tests assert on ids and texts.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(1000, LogLevel.Information, "state {From} -> {To} ({Reason})")]
    public static partial void StateChanged(ILogger logger, string from, string to, string reason);

    [LoggerMessage(1001, LogLevel.Critical, "illegal state change {From} -> {To} ({Reason})")]
    public static partial void IllegalTransition(ILogger logger, string from, string to, string reason);

    [LoggerMessage(1002, LogLevel.Information, "gateway ready on {Url} (pid {Pid}, boot {BootId}, auth {AuthMode}) in {ElapsedMs:F0} ms")]
    public static partial void Ready(ILogger logger, string url, int pid, string bootId, string authMode, double elapsedMs);

    [LoggerMessage(1003, LogLevel.Error, "gateway already running (pid {Pid}, port {Port})")]
    public static partial void AlreadyRunning(ILogger logger, int pid, int port);

    [LoggerMessage(1004, LogLevel.Error, "gateway already running (state directory {Root} is locked; owner unknown)")]
    public static partial void AlreadyRunningUnknown(ILogger logger, string root);

    [LoggerMessage(1005, LogLevel.Warning, "took over stale gateway lock {Path}: pid {Pid} is no longer running")]
    public static partial void LockTakenOverDead(ILogger logger, int pid, string path);

    [LoggerMessage(1006, LogLevel.Warning, "took over stale gateway lock {Path}: pid {Pid} now belongs to another program ({CommandLine})")]
    public static partial void LockTakenOverReused(ILogger logger, int pid, string commandLine, string path);

    [LoggerMessage(1007, LogLevel.Warning, "took over gateway lock {Path}: pid {Pid} is alive but no longer holds it")]
    public static partial void LockTakenOverReleased(ILogger logger, int pid, string path);

    [LoggerMessage(1008, LogLevel.Warning, "took over gateway lock {Path}: its content was unreadable")]
    public static partial void LockTakenOverCorrupt(ILogger logger, string path);

    [LoggerMessage(1009, LogLevel.Error, "cannot listen on {Address}:{Port}: {Reason}")]
    public static partial void BindFailed(ILogger logger, string address, int port, string reason);

    [LoggerMessage(1010, LogLevel.Error, "gateway failed to start: {Reason}")]
    public static partial void StartFailed(ILogger logger, string reason);

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

    [LoggerMessage(1016, LogLevel.Warning, "--force: stopping gateway pid {Pid}")]
    public static partial void ForceTerminating(ILogger logger, int pid);

    [LoggerMessage(1017, LogLevel.Warning, "--force: pid {Pid} did not exit within {GraceSeconds} s; sending SIGKILL")]
    public static partial void ForceKilling(ILogger logger, int pid, double graceSeconds);

    [LoggerMessage(1018, LogLevel.Warning, "{Warning}")]
    public static partial void ConfigWarning(ILogger logger, string warning);

    [LoggerMessage(1019, LogLevel.Warning, "--force: {Problem}")]
    public static partial void ForceFailed(ILogger logger, string problem);

    [LoggerMessage(1020, LogLevel.Error, "error while closing the server")]
    public static partial void CloseFailed(ILogger logger, Exception exception);

    [LoggerMessage(1021, LogLevel.Information, "restart from {Source} joined the restart already pending")]
    public static partial void RestartCoalesced(ILogger logger, string source);

    [LoggerMessage(1022, LogLevel.Warning, "restart intent {Warning}")]
    public static partial void IntentIgnored(ILogger logger, string warning);

    [LoggerMessage(1023, LogLevel.Information, "draining for restart: {Summary}")]
    public static partial void DrainStarted(ILogger logger, string summary);

    [LoggerMessage(1024, LogLevel.Information, "  blocker: {Blocker}")]
    public static partial void DrainBlocker(ILogger logger, string blocker);

    [LoggerMessage(1025, LogLevel.Information, "still draining {Tasks} task(s) and {Runs} run(s)")]
    public static partial void StillDraining(ILogger logger, int tasks, int runs);

    [LoggerMessage(1026, LogLevel.Information, "drain complete in {ElapsedMs:F0} ms; restarting")]
    public static partial void DrainComplete(ILogger logger, double elapsedMs);

    [LoggerMessage(1027, LogLevel.Warning, "drain budget of {BudgetMs} ms ran out with {Runs} run(s) and {Tasks} task(s) still active; restarting anyway (cut runs are queued again)")]
    public static partial void DrainBudgetExpired(ILogger logger, long budgetMs, int runs, int tasks);

    [LoggerMessage(1028, LogLevel.Warning, "{Command} from {Source} ignored: {Reason}")]
    public static partial void CommandIgnored(ILogger logger, string command, string source, string reason);

    [LoggerMessage(1029, LogLevel.Information, "restart: exiting 75 so that the {Supervisor} supervisor starts a fresh process")]
    public static partial void ExitingForSupervisor(ILogger logger, string supervisor);

    [LoggerMessage(1030, LogLevel.Information, "restart: launchd kickstart is not built yet; restarting in process (set CLAWSHARP_NO_RESPAWN=1 to choose this explicitly)")]
    public static partial void KickstartNotBuilt(ILogger logger);

    [LoggerMessage(1031, LogLevel.Information, "restart: spawned a fresh process (pid {ChildPid}); waiting up to {BudgetMs} ms for it to own the lock and be ready")]
    public static partial void RespawnStarted(ILogger logger, int childPid, long budgetMs);

    [LoggerMessage(1032, LogLevel.Information, "restart: fresh process pid {ChildPid} is ready after {ElapsedMs:F0} ms; handing over and exiting 0")]
    public static partial void RespawnReady(ILogger logger, int childPid, double elapsedMs);

    [LoggerMessage(1033, LogLevel.Warning, "restart: fresh-PID respawn failed: {Why}; stability bundle {Bundle}; restarting in process")]
    public static partial void RespawnFailed(ILogger logger, string why, string bundle);

    [LoggerMessage(1034, LogLevel.Warning, "update restart failed; recorded in {Path}")]
    public static partial void UpdateFailureRecorded(ILogger logger, string path);

    [LoggerMessage(1035, LogLevel.Warning, "could not update {Path}: {Reason}")]
    public static partial void UpdateFailureNotRecorded(ILogger logger, string path, string reason);

    [LoggerMessage(1036, LogLevel.Information, "took over the listening socket {Endpoint} (fd {Descriptor}) from pid {ParentPid}")]
    public static partial void InheritedListenerAdopted(ILogger logger, string endpoint, int descriptor, int parentPid);

    [LoggerMessage(1037, LogLevel.Warning, "closed the inherited descriptor {Descriptor} instead of using it: {Problem}; binding anew")]
    public static partial void InheritedListenerRefused(ILogger logger, int descriptor, string problem);

    [LoggerMessage(1038, LogLevel.Warning, "test fault spawned-child-never-ready: spawned by pid {ParentPid}, not starting; waiting for a stop")]
    public static partial void NeverReadyFault(ILogger logger, int parentPid);

    [LoggerMessage(1039, LogLevel.Warning, "the {Supervisor} supervisor that started this gateway is gone; restarting without it")]
    public static partial void SupervisorGone(ILogger logger, string supervisor);
}

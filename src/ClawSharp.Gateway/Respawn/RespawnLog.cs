using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Respawn;

/// <summary>Log messages of the fresh-PID respawn; event ids in the gateway's 1000–1099 range, shared with the other lifecycle folders. Tests assert on ids and texts.</summary>
internal static partial class RespawnLog
{
    [LoggerMessage(1031, LogLevel.Information, "restart: spawned a fresh process (pid {ChildPid}); waiting up to {BudgetMs} ms for it to own the lock and be ready")]
    public static partial void RespawnStarted(ILogger logger, int childPid, long budgetMs);

    [LoggerMessage(1043, LogLevel.Warning, "restart: the built-in supervisor that started this gateway is gone; started a new one (pid {SupervisorPid}) on this socket; waiting up to {BudgetMs} ms for its gateway to own the lock and be ready")]
    public static partial void SupervisorRespawnStarted(ILogger logger, int supervisorPid, long budgetMs);

    [LoggerMessage(1032, LogLevel.Information, "restart: fresh process pid {ChildPid} is ready after {ElapsedMs:F0} ms; handing over and exiting 0")]
    public static partial void RespawnReady(ILogger logger, int childPid, double elapsedMs);

    [LoggerMessage(1033, LogLevel.Warning, "restart: fresh-PID respawn failed: {Why}; stability bundle {Bundle}; restarting in process")]
    public static partial void RespawnFailed(ILogger logger, string why, string bundle);

    [LoggerMessage(1034, LogLevel.Warning, "update restart failed; recorded in {Path}")]
    public static partial void UpdateFailureRecorded(ILogger logger, string path);

    [LoggerMessage(1035, LogLevel.Warning, "could not update {Path}: {Reason}")]
    public static partial void UpdateFailureNotRecorded(ILogger logger, string path, string reason);
}

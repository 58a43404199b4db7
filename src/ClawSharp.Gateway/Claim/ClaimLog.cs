using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Claim;

/// <summary>Log messages of the lock and listener claim; event ids in the gateway's 1000–1099 range, shared with the other lifecycle folders. Tests assert on ids and texts.</summary>
internal static partial class ClaimLog
{
    /// <remarks>The text is <see cref="DuplicateStartPolicy.DescribeRunningOwner"/>: "gateway already running (pid N, port P[, managed by M])".</remarks>
    [LoggerMessage(1003, LogLevel.Error, "{Description}")]
    public static partial void AlreadyRunning(ILogger logger, string description);

    [LoggerMessage(1004, LogLevel.Error, "gateway already running (state directory {Root} is locked; owner unknown)")]
    public static partial void AlreadyRunningUnknown(ILogger logger, string root);

    [LoggerMessage(1042, LogLevel.Information, "the gateway lock {Path}, just released, is still held (a child forked at that moment keeps it until its exec); asking again for up to {GraceMs} ms")]
    public static partial void AwaitingOwnRelease(ILogger logger, string path, long graceMs);

    /// <remarks>The text is <see cref="DuplicateStartPolicy.DescribeUnresponsiveOwner"/>, which <c>gateway start</c> prints too.</remarks>
    [LoggerMessage(1041, LogLevel.Error, "{Description}")]
    public static partial void OwnerUnresponsive(ILogger logger, string description);

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

    [LoggerMessage(1016, LogLevel.Warning, "--force: stopping gateway pid {Pid}")]
    public static partial void ForceTerminating(ILogger logger, int pid);

    [LoggerMessage(1017, LogLevel.Warning, "--force: pid {Pid} did not exit within {GraceSeconds} s; sending SIGKILL")]
    public static partial void ForceKilling(ILogger logger, int pid, double graceSeconds);

    [LoggerMessage(1019, LogLevel.Warning, "--force: {Problem}")]
    public static partial void ForceFailed(ILogger logger, string problem);

    [LoggerMessage(1036, LogLevel.Information, "took over the listening socket {Endpoint} (fd {Descriptor}) from pid {ParentPid}")]
    public static partial void InheritedListenerAdopted(ILogger logger, string endpoint, int descriptor, int parentPid);

    [LoggerMessage(1037, LogLevel.Warning, "closed the inherited descriptor {Descriptor} instead of using it: {Problem}; binding anew")]
    public static partial void InheritedListenerRefused(ILogger logger, int descriptor, string problem);

    [LoggerMessage(1060, LogLevel.Information, "adopted the listening socket {Endpoint} from systemd socket activation: {Socket} of {Count} passed")]
    public static partial void ActivatedSocketAdopted(ILogger logger, string endpoint, string socket, int count);

    [LoggerMessage(1061, LogLevel.Error, "{Problem}")]
    public static partial void ActivatedSocketRefused(ILogger logger, string problem);

    [LoggerMessage(1010, LogLevel.Error, "gateway failed to start: {Reason}")]
    public static partial void StartFailed(ILogger logger, string reason);

    // An unexpected exception keeps its stack (and inner exceptions): "a type initializer threw" alone says nothing.
    [LoggerMessage(1010, LogLevel.Error, "gateway failed to start: {Reason}")]
    public static partial void StartFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(4010, LogLevel.Error, "--force: gateway.lock names pid {Pid}, which does not hold the lock {LockFile}: not signalling it")]
    public static partial void ForceRefusedForeignOwner(ILogger logger, int pid, string lockFile);
}

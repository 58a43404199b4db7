namespace ClawSharp.Gateway.Claim;

/// <summary>
/// How a start that finds the state directory or the port taken ends (ARCHITECTURE.md §3,
/// "Lock"): exit 1, except a supervised duplicate whose owner answers, which exits 78 so that
/// its supervisor does not restart it in a loop beside a healthy gateway. An owner that does
/// not answer (stopped, wedged) is no healthy gateway: exit 1, so a supervisor retries with
/// backoff, and the message says it does not answer rather than "already running".
/// Pure: the caller probes the owner only when <see cref="ShouldProbeOwner"/> says so.
/// </summary>
internal static class DuplicateStartPolicy
{
    /// <summary>How long a duplicate start waits for the owner's <c>/readyz</c> (2 s): named in the message.</summary>
    public static readonly TimeSpan OwnerProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Whether the owner's answer is needed: on a known port, for a supervised duplicate (its exit
    /// code depends on it) or for the lock's owner (the message does).
    /// </summary>
    /// <param name="supervised">Whether a supervisor restarts the duplicate.</param>
    /// <param name="port">The owner's port; 0 = not known (not bound yet).</param>
    /// <param name="lockOwner">The owner holds this state directory's lock (else it only holds the port).</param>
    public static bool ShouldProbeOwner(bool supervised, int port, bool lockOwner) => port != 0 && (supervised || lockOwner);

    /// <summary>The exit code, and whether to report the owner as not answering.</summary>
    /// <param name="supervised">Whether a supervisor restarts the duplicate.</param>
    /// <param name="port">The owner's port; 0 = not known.</param>
    /// <param name="answer">What the owner's <c>/readyz</c> said (<see cref="ReadinessAnswer.Unknown"/> when not asked).</param>
    public static DuplicateVerdict Decide(bool supervised, int port, ReadinessAnswer answer) => answer switch
    {
        ReadinessAnswer.NoAnswer when port != 0 => new DuplicateVerdict(ExitCode.Failure, OwnerUnresponsive: true),
        ReadinessAnswer.Ready or ReadinessAnswer.NotReady when supervised && port != 0 => new DuplicateVerdict(ExitCode.Config, OwnerUnresponsive: false),
        _ => new DuplicateVerdict(ExitCode.Failure, OwnerUnresponsive: false),
    };

    /// <summary>
    /// How long a lock owner that is not stopped may go without answering before it counts as
    /// wedged (30 s): a cold start on a Pi, or a restart between two generations, is slow, not wedged.
    /// </summary>
    public static readonly TimeSpan StartGrace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The lock owner's answer as the decision reads it: no answer from a process that is stopped
    /// (SIGSTOP), or that has held the lock longer than <see cref="StartGrace"/>, is
    /// <see cref="ReadinessAnswer.NoAnswer"/>; from one that took the lock just now it is
    /// <see cref="ReadinessAnswer.Unknown"/> (starting: reported as running, never as one to --force).
    /// </summary>
    public static ReadinessAnswer OwnerAnswer(ReadinessAnswer probed, bool ownerStopped, TimeSpan lockAge) =>
        probed == ReadinessAnswer.NoAnswer && !ownerStopped && lockAge < StartGrace ? ReadinessAnswer.Unknown : probed;

    /// <summary>
    /// What a start says when the lock's owner runs: "gateway already running (pid N, port P)",
    /// plus ", managed by systemd" (launchd, windows) or ", managed by the built-in supervisor" when
    /// the lock names a manager, so that the operator goes to that manager rather than starting
    /// another gateway beside it.
    /// </summary>
    /// <param name="pid">The owner's PID.</param>
    /// <param name="port">The owner's port.</param>
    /// <param name="manager">The lock's <see cref="LockOwner.Manager"/>: null or <c>none</c> names no manager.</param>
    public static string DescribeRunningOwner(int pid, int port, string? manager) => manager switch
    {
        null or "" or "none" => $"gateway already running (pid {pid}, port {port})",
        "builtin" => $"gateway already running (pid {pid}, port {port}, managed by the built-in supervisor)",
        _ => $"gateway already running (pid {pid}, port {port}, managed by {manager})",
    };

    /// <summary>What a start says when the lock's owner does not answer; <c>gateway run</c> and <c>gateway start</c> say the same.</summary>
    public static string DescribeUnresponsiveOwner(int pid, TimeSpan timeout) =>
        $"pid {pid} holds the lock but does not answer (/readyz timed out after {timeout.TotalSeconds:0.###} s); stop it, or start with --force to replace it";
}

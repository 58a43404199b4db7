using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Daemon;

/// <summary>What the supervisor does after its gateway exited.</summary>
// Public, unlike the other types: xunit theories (public methods) take it as a parameter.
public enum AfterExit
{
    /// <summary>Exit 0: stopped on request. The supervisor stops too.</summary>
    Stop,

    /// <summary>Exit 75: a requested restart. Start again at once; not a crash.</summary>
    RestartNow,

    /// <summary>A crash within the limit: start again after <see cref="SupervisorDecision.Delay"/>.</summary>
    RestartAfterBackoff,

    /// <summary>Exit 78 (configuration), or past the crash limit: give up until an operator acts.</summary>
    GiveUp,
}

/// <param name="Action">What to do.</param>
/// <param name="Delay">The backoff, for <see cref="AfterExit.RestartAfterBackoff"/>.</param>
/// <param name="Reason">For the log and for <c>status</c>.</param>
/// <param name="Crashes">The crash history after this exit: the crashes within the window, oldest first,
/// at most <see cref="CrashPolicy.KeptCrashes"/> of them. What the supervisor keeps on disk (<see cref="CrashHistoryStore"/>).</param>
internal sealed record SupervisorDecision(AfterExit Action, TimeSpan Delay, string Reason, IReadOnlyList<DateTimeOffset> Crashes);

/// <summary>
/// The exit-code contract (ARCHITECTURE.md §3) and the crash budget, decided in one pure
/// place: exponential backoff (initial, doubled per crash in the window, capped) and the
/// storm limit (more than <see cref="DaemonOptions.CrashLimit"/> crashes within
/// <see cref="DaemonOptions.CrashWindow"/> and the supervisor gives up). The crash history is an
/// input and the new one an output, never state kept here: the supervisor keeps it on disk, so
/// the limit holds across supervisor deaths (issue 17).
/// </summary>
internal static class CrashPolicy
{
    /// <summary>The most crash times kept: one past the highest <c>daemon.crashLimit</c> (1000) is all a decision can need.</summary>
    public const int KeptCrashes = 1001;

    /// <param name="exitCode">How the gateway ended.</param>
    /// <param name="history">The crashes recorded before this exit (any order; older than the window, or later than <paramref name="now"/>, ignored).</param>
    /// <param name="now">When the exit was seen.</param>
    /// <param name="options">The backoff and the storm limit.</param>
    /// <param name="configProblem">Why the configuration does not load, when it does not: named in the reason of an exit 78.</param>
    /// <param name="supervisorStartedAt">When this supervisor started: crashes before it were recorded by an earlier one, and the reason says how many.</param>
    public static SupervisorDecision Decide(int exitCode, IReadOnlyList<DateTimeOffset> history, DateTimeOffset now, DaemonOptions options,
        string? configProblem = null, DateTimeOffset? supervisorStartedAt = null)
    {
        var kept = InWindow(history, now, options);
        switch ((ExitCode)exitCode)
        {
            case ExitCode.Success:
                return new SupervisorDecision(AfterExit.Stop, TimeSpan.Zero, "the gateway stopped on request (exit 0)", kept);
            case ExitCode.Restart:
                return new SupervisorDecision(AfterExit.RestartNow, TimeSpan.Zero, "the gateway asked to be restarted (exit 75)", kept);
            case ExitCode.Config:
                return new SupervisorDecision(AfterExit.GiveUp, TimeSpan.Zero, configProblem is null
                    ? "the gateway exited 78: its configuration is invalid, or a healthy gateway already owns the port; fix it, then 'clawsharp gateway start'"
                    : $"{configProblem}; the gateway exited 78. Fix it, then 'clawsharp gateway start'", kept);
        }
        var crashes = InWindow([.. kept, now], now, options);
        var count = crashes.Count;
        var window = Describe(options.CrashWindow);
        var earlier = supervisorStartedAt is { } since ? crashes.Count(at => at < since) : 0;
        var inherited = earlier == 0 ? "" : $", {earlier} of them before this supervisor started";
        if (count > options.CrashLimit)
        {
            return new SupervisorDecision(AfterExit.GiveUp, TimeSpan.Zero,
                $"{count} crashes within {window} (limit {options.CrashLimit}{inherited}); not restarting. See 'clawsharp gateway logs', then 'clawsharp gateway start'", crashes);
        }
        var delay = Backoff(count, options);
        return new SupervisorDecision(AfterExit.RestartAfterBackoff, delay,
            $"crash {count} within {window}{inherited}; restarting in {Describe(delay)}", crashes);
    }

    /// <summary>The crashes within the window as of <paramref name="now"/>, oldest first, bounded.</summary>
    public static IReadOnlyList<DateTimeOffset> InWindow(IEnumerable<DateTimeOffset> history, DateTimeOffset now, DaemonOptions options) =>
        [.. history.Where(at => at <= now && now - at <= options.CrashWindow).Order().TakeLast(KeptCrashes)];

    /// <summary>initial × 2^(crashes − 1), capped.</summary>
    public static TimeSpan Backoff(int crashesInWindow, DaemonOptions options)
    {
        var doublings = Math.Clamp(crashesInWindow - 1, 0, 30);
        var ticks = options.InitialBackoff.Ticks * (double)(1L << doublings);
        return ticks >= options.MaxBackoff.Ticks ? options.MaxBackoff : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>How an exit code reads: "exit 1 (failure)", "signal 9 (SIGKILL)".</summary>
    public static DaemonExit DescribeExit(int exitCode, DateTimeOffset at)
    {
        // The runtime reports a child killed by a signal as 128 + the signal's number.
        int? signal = exitCode is > 128 and < 128 + 32 ? exitCode - 128 : null;
        var description = signal is { } number
            ? $"signal {number}{SignalName(number)}"
            : (ExitCode)exitCode switch
            {
                ExitCode.Success => "exit 0 (stopped on request)",
                ExitCode.Failure => "exit 1 (failure)",
                ExitCode.Restart => "exit 75 (restart requested)",
                ExitCode.Config => "exit 78 (configuration error)",
                _ => $"exit {exitCode}",
            };
        return new DaemonExit(exitCode, signal, description, at);
    }

    private static string SignalName(int signal) => signal switch
    {
        1 => " (SIGHUP)",
        2 => " (SIGINT)",
        6 => " (SIGABRT)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        15 => " (SIGTERM)",
        _ => "",
    };

    private static string Describe(TimeSpan span) =>
        span.TotalSeconds >= 60 && span.TotalSeconds % 60 == 0 ? $"{span.TotalMinutes:F0} min"
        : span.TotalSeconds >= 1 ? $"{span.TotalSeconds:0.###} s"
        : $"{span.TotalMilliseconds:F0} ms";
}

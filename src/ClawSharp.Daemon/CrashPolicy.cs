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
internal sealed record SupervisorDecision(AfterExit Action, TimeSpan Delay, string Reason);

/// <summary>
/// The exit-code contract (ARCHITECTURE.md §3) and the crash budget, decided in one pure
/// place: exponential backoff (initial, doubled per crash in the window, capped) and the
/// storm limit (more than <see cref="DaemonOptions.CrashLimit"/> crashes within
/// <see cref="DaemonOptions.CrashWindow"/> and the supervisor gives up).
/// </summary>
internal sealed class CrashPolicy
{
    private readonly Queue<DateTimeOffset> recentCrashes = new();

    /// <summary>Crashes inside the window, as of the last decision.</summary>
    public int RecentCrashes => recentCrashes.Count;

    public SupervisorDecision Decide(int exitCode, DateTimeOffset now, DaemonOptions options)
    {
        switch ((ExitCode)exitCode)
        {
            case ExitCode.Success:
                return new SupervisorDecision(AfterExit.Stop, TimeSpan.Zero, "the gateway stopped on request (exit 0)");
            case ExitCode.Restart:
                return new SupervisorDecision(AfterExit.RestartNow, TimeSpan.Zero, "the gateway asked to be restarted (exit 75)");
            case ExitCode.Config:
                return new SupervisorDecision(AfterExit.GiveUp, TimeSpan.Zero,
                    "the gateway exited 78: its configuration is invalid, or a healthy gateway already owns the port; fix it, then 'clawsharp gateway start'");
        }
        recentCrashes.Enqueue(now);
        while (recentCrashes.Count > 0 && now - recentCrashes.Peek() > options.CrashWindow)
        {
            recentCrashes.Dequeue();
        }
        var crashes = recentCrashes.Count;
        var window = Describe(options.CrashWindow);
        if (crashes > options.CrashLimit)
        {
            return new SupervisorDecision(AfterExit.GiveUp, TimeSpan.Zero,
                $"{crashes} crashes within {window} (limit {options.CrashLimit}); not restarting. See 'clawsharp gateway logs', then 'clawsharp gateway start'");
        }
        var delay = Backoff(crashes, options);
        return new SupervisorDecision(AfterExit.RestartAfterBackoff, delay,
            $"crash {crashes} within {window}; restarting in {Describe(delay)}");
    }

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

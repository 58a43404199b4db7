using System.Text.Json.Serialization;

namespace ClawSharp.Daemon;

/// <summary>Where the built-in supervisor is in its life (<c>daemon.json</c> <c>state</c>).</summary>
internal enum DaemonPhase
{
    /// <summary>The gateway was started and is not ready yet.</summary>
    [JsonStringEnumMemberName("starting")]
    Starting,

    /// <summary>The gateway answers <c>/readyz</c>.</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>The gateway crashed; the supervisor waits before starting it again.</summary>
    [JsonStringEnumMemberName("backoff")]
    Backoff,

    /// <summary>The supervisor gave up (crash storm, or a configuration error); it has exited.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Stopped on request; the supervisor has exited.</summary>
    [JsonStringEnumMemberName("stopped")]
    Stopped,
}

/// <summary>How a gateway process ended.</summary>
/// <param name="Code">The exit code (a signal shows as 128 + its number, as the runtime reports it).</param>
/// <param name="Signal">The signal that killed it, when <paramref name="Code"/> says so.</param>
/// <param name="Description">For people: "exit 1 (failure)", "signal 9 (SIGKILL)".</param>
/// <param name="At">When the supervisor saw it.</param>
internal sealed record DaemonExit(int Code, int? Signal, string Description, DateTimeOffset At);

/// <summary>
/// <c>daemon.json</c>: what the built-in supervisor knows, for <c>status</c>, <c>stop</c> and
/// <c>start</c>. Only the holder of <c>supervisor.lock</c> writes it, atomically. PIDs in it are
/// trusted only with their start times (<see cref="Gateway.Infrastructure.ProcessIdentity"/>).
/// </summary>
internal sealed record DaemonState
{
    public const int CurrentSchema = 1;

    public int Schema { get; init; } = CurrentSchema;
    public DaemonPhase State { get; init; }
    public int SupervisorPid { get; init; }
    public long SupervisorStartTime { get; init; }

    /// <summary>The gateway child's PID (never the supervisor's), while one runs.</summary>
    public int? GatewayPid { get; init; }
    public long? GatewayStartTime { get; init; }

    /// <summary>When the supervisor started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When the current (or last) gateway process started.</summary>
    public DateTimeOffset? GatewayStartedAt { get; init; }
    public string Version { get; init; } = "";

    /// <summary>Gateway starts after the first: crash restarts and requested (exit 75) restarts.</summary>
    public int RestartCount { get; init; }

    /// <summary>Abnormal exits since the supervisor started.</summary>
    public int CrashCount { get; init; }

    /// <summary>Crashes within <c>daemon.crashWindowMs</c> as of the last crash, earlier supervisors' included (<c>crash-history.json</c>): what the storm limit counts.</summary>
    public int CrashesInWindow { get; init; }

    /// <summary>The gateway's resident memory (VmRSS, bytes) when last sampled (every 10 s while it runs).</summary>
    public long? GatewayRssBytes { get; init; }

    /// <summary>When <see cref="GatewayRssBytes"/> was sampled.</summary>
    public DateTimeOffset? GatewayRssAt { get; init; }

    /// <summary>The last run that ended without a clean stop (a signal, or a supervisor that died); carried over by each new supervisor.</summary>
    public UncleanEnd? LastUncleanEnd { get; init; }
    public DaemonExit? LastExit { get; init; }

    /// <summary>When the next start is due, in <see cref="DaemonPhase.Backoff"/>.</summary>
    public DateTimeOffset? NextStartAt { get; init; }

    /// <summary>Why the supervisor gave up, in <see cref="DaemonPhase.Failed"/>.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The gateway log's last lines when it last crashed, kept for <c>status</c>.</summary>
    public IReadOnlyList<string>? LastLogLines { get; init; }
    public int? Port { get; init; }
    public string LogFile { get; init; } = "";
    public string SupervisorLogFile { get; init; } = "";
    public DateTimeOffset UpdatedAt { get; init; }
}

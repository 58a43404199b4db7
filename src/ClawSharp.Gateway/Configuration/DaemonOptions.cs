namespace ClawSharp.Gateway.Configuration;

/// <summary>The built-in supervisor and <c>gateway start</c> (config object <c>daemon</c>).</summary>
internal sealed class DaemonOptions
{
    /// <summary>The wait before the first restart after a crash (<c>daemon.backoffMs</c>); doubles per crash in the window. Default 1 s.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The cap of the backoff (<c>daemon.backoffMaxMs</c>). Default 60 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many crashes within <see cref="CrashWindow"/> are tolerated (<c>daemon.crashLimit</c>); one more and the supervisor gives up. Default 3.</summary>
    public int CrashLimit { get; init; } = 3;

    /// <summary>The window the crash limit counts over (<c>daemon.crashWindowMs</c>). Default 5 min.</summary>
    public TimeSpan CrashWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long <c>gateway start</c> waits for the gateway to be ready (<c>daemon.startTimeoutMs</c>). Default 15 s.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Whether a gateway whose built-in supervisor died asks for its own restart under a new one, within
    /// <see cref="Lifecycle.SupervisorWatch.Interval"/> of the death (<c>daemon.resupervise</c>; a restart like
    /// any other: drained, after the cooldown, no connection refused). False: it serves on alone until
    /// <c>gateway start</c> or a restart. Read at each look, so a config reload changes it. Default true.
    /// </summary>
    public bool Resupervise { get; init; } = true;
}

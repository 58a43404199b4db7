namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// The one place that turns the shutdown and restart options into deadlines (ARCHITECTURE.md §3,
/// "Watchdog"). No other code adds durations together.
/// <list type="bullet">
/// <item><see cref="StopDrain"/>: how long a stop waits for active work before it closes.</item>
/// <item><see cref="Close"/>: closing a server generation, guarded by the shutdown watchdog.</item>
/// <item><see cref="Stop"/>: a whole stop, drain and close.</item>
/// <item><see cref="SupervisorKillAfter"/>: how long the built-in supervisor waits after SIGTERM before SIGKILL.</item>
/// <item><see cref="ChildStop"/>: how long a gateway waits for a fresh copy it asked to stop.</item>
/// <item><see cref="Drain"/>: how long a restart's drain may wait for active work.</item>
/// </list>
/// </summary>
internal sealed class ShutdownBudget
{
    /// <summary>What the supervisor adds to the gateway's own stop budget before it kills: the watchdog fires first and leaves a bundle.</summary>
    public static readonly TimeSpan SupervisorMargin = TimeSpan.FromSeconds(5);

    private readonly ShutdownOptions shutdown;

    public ShutdownBudget(ShutdownOptions shutdown) => this.shutdown = shutdown;

    /// <summary>A stop's drain: <see cref="ShutdownOptions.DrainTimeout"/> (default 10 s; zero: no drain, runs are cut at once).</summary>
    public TimeSpan StopDrain => shutdown.DrainTimeout;

    /// <summary>Closing the server (connections, runs, Kestrel) on a stop or a restart. Default 25 s.</summary>
    public TimeSpan Close => shutdown.StopTimeout;

    /// <summary>A whole stop: <see cref="StopDrain"/> then <see cref="Close"/> (default 35 s).</summary>
    public TimeSpan Stop => StopDrain + Close;

    /// <summary>The supervisor's SIGTERM → SIGKILL wait: <see cref="Stop"/> plus <see cref="SupervisorMargin"/> (default 40 s).</summary>
    public TimeSpan SupervisorKillAfter => Stop + SupervisorMargin;

    /// <summary>A fresh copy that must stop (a stop overtook its hand-over) gets the same budget as this gateway's own stop, drain included.</summary>
    public TimeSpan ChildStop => Stop;

    /// <summary>
    /// <c>gateway stop</c>'s wait before its own SIGKILL: the supervisor's kill wait plus a margin
    /// (default 45 s), so that the supervisor, which leaves a record of what it killed, acts first.
    /// </summary>
    public TimeSpan OperatorStop => SupervisorKillAfter + SupervisorMargin;

    /// <summary>
    /// The drain of one restart: none when forced; the request's cap when it gives one
    /// (<c>0</c> waits indefinitely: <see cref="Timeout.InfiniteTimeSpan"/>); else
    /// <see cref="RestartOptions.DeferralTimeout"/> (default 300 s).
    /// </summary>
    public static TimeSpan Drain(RestartOptions restart, bool force, long? waitMs) =>
        force ? TimeSpan.Zero
        : waitMs is { } ms ? (ms == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(ms))
        : restart.DeferralTimeout;
}

namespace ClawSharp.Gateway.Diagnostics;

/// <summary>
/// Faults injected on purpose, for the tests and the chaos suite only, from the
/// <c>CLAWSHARP_TEST_FAULTS</c> environment variable (comma-separated). Nothing sets it in
/// production; each fault makes a failure path reachable from outside the process.
/// </summary>
internal sealed record GatewayFaults
{
    public const string EnvironmentVariable = "CLAWSHARP_TEST_FAULTS";

    /// <summary><c>hang-on-stop</c>: closing the server never finishes, so the shutdown watchdog must fire.</summary>
    public bool HangOnStop { get; init; }

    /// <summary><c>crash-after-ready</c>: the process exits 1 as soon as it first serves, so a supervisor sees a crash loop.</summary>
    public bool CrashAfterReady { get; init; }

    /// <summary>
    /// <c>spawned-child-never-ready</c>: a gateway started by a fresh-PID respawn (and only
    /// such a one) never takes the lock nor serves, but still stops on SIGTERM, so the parent's
    /// readiness wait must run out; a supervisor a gateway started (its own had died) starts no
    /// gateway, likewise.
    /// </summary>
    public bool SpawnedChildNeverReady { get; init; }

    /// <summary><c>spawn-fails</c>: the fresh-PID respawn starts a program that does not exist, so starting the child throws.</summary>
    public bool SpawnFails { get; init; }

    /// <summary>
    /// <c>fail-restart-start</c>: the first start after an in-process restart fails, past the
    /// restart's next-start check (as a port or disk that goes bad in between would), so the
    /// StartFailed path stays reachable; later starts succeed.
    /// </summary>
    public bool FailRestartStart { get; init; }

    /// <summary>The marker file of <see cref="FailStartWhenMarked"/>, in the state directory.</summary>
    public const string StartFailsMarker = "test-fault-start-fails";

    /// <summary>
    /// <c>fail-start-when-marked</c>: a start fails (exit 1 on a first start) while the state
    /// directory holds <see cref="StartFailsMarker"/>, so a test can make the next process of a
    /// running daemon crash at start, past the restart's next-start check.
    /// </summary>
    public bool FailStartWhenMarked { get; init; }

    /// <summary>The marker file of <see cref="WedgeLoopWhenMarked"/>, in the state directory.</summary>
    public const string WedgeLoopMarker = "test-fault-wedge-loop";

    /// <summary>
    /// <c>wedge-loop-when-marked</c>: the run loop, handling a watchdog heartbeat while the state
    /// directory holds <see cref="WedgeLoopMarker"/>, deletes the marker and blocks its own thread
    /// for good, so that the systemd watchdog pings stop as they would for a real hang.
    /// </summary>
    public bool WedgeLoopWhenMarked { get; init; }

    /// <summary>
    /// <c>slow-store-commit</c>: the store's group-commit writer waits <see cref="SlowCommitPause"/>
    /// before taking a batch and again before committing it, as a slow disk would: batches grow
    /// large, and a kill -9 lands inside one.
    /// </summary>
    public bool SlowStoreCommit { get; init; }

    /// <summary>
    /// <c>late-frame-read</c>: a control connection holds each frame it reads after the handshake
    /// until the server's close begins, and counts it as a request a few milliseconds after (as a
    /// loaded machine would run the read late), so the close's wait for frames already sent is tested.
    /// </summary>
    public bool LateFrameRead { get; init; }

    public static readonly TimeSpan SlowCommitPause = TimeSpan.FromMilliseconds(25);

    public static GatewayFaults Parse(string? value)
    {
        var names = (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new GatewayFaults
        {
            HangOnStop = names.Contains("hang-on-stop"),
            CrashAfterReady = names.Contains("crash-after-ready"),
            SpawnedChildNeverReady = names.Contains("spawned-child-never-ready"),
            SpawnFails = names.Contains("spawn-fails"),
            FailRestartStart = names.Contains("fail-restart-start"),
            FailStartWhenMarked = names.Contains("fail-start-when-marked"),
            WedgeLoopWhenMarked = names.Contains("wedge-loop-when-marked"),
            SlowStoreCommit = names.Contains("slow-store-commit"),
            LateFrameRead = names.Contains("late-frame-read"),
        };
    }
}

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>How the process comes back after a restart closed its server (ARCHITECTURE.md §3).</summary>
// Public, unlike the other types: xunit theories (public methods) take it as a parameter.
public enum RestartMode
{
    /// <summary>Start a fresh server generation in this process (same PID).</summary>
    InProcess,

    /// <summary>Exit 75 (EX_TEMPFAIL): the supervisor (built-in, systemd, Windows) starts a fresh process at once.</summary>
    SupervisedExit,

    /// <summary>
    /// Under launchd: <c>launchctl kickstart -k</c> the job (launchd kills this process and starts a
    /// fresh one at once), then exit 75; in process when the kickstart fails.
    /// </summary>
    LaunchdKickstart,

    /// <summary>
    /// Unsupervised: spawn a fresh detached copy with the same arguments, hand it the listening
    /// socket, wait for it to be ready, then exit 0; in process when it never becomes ready.
    /// </summary>
    Spawn,

    /// <summary>
    /// An unsupervised update restart: as <see cref="Spawn"/> (the fresh copy runs the binary now
    /// on disk), and a child that never becomes ready is also recorded in <c>update-failed.json</c>.
    /// </summary>
    SpawnForUpdate,

    /// <summary>
    /// A daemon's gateway whose built-in supervisor died (killed, OOM): as <see cref="Spawn"/>, but
    /// the process started is a new supervisor (<c>gateway supervise</c>), which takes the socket
    /// over and starts a fresh gateway on it; ready once that gateway is. The next crash is then
    /// restarted again, where a plain copy would run unsupervised. An update restart's failure is
    /// recorded as for <see cref="SpawnForUpdate"/>.
    /// </summary>
    SpawnSupervisor,
}

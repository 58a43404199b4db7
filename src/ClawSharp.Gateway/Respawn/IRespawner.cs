namespace ClawSharp.Gateway.Respawn;

/// <summary>
/// The fresh-PID respawn as the run loop sees it (a seam: the loop's decision tests pass a fake).
/// Production: <see cref="FreshProcessSpawner"/>.
/// </summary>
internal interface IRespawner
{
    /// <summary>Starts a fresh copy that takes over the listening socket and waits until it is ready (or fails).</summary>
    /// <param name="readyTimeout">How long the child has to become ready.</param>
    /// <param name="update">An update restart: record a failure in <c>update-failed.json</c>, clear it on success.</param>
    /// <param name="asSupervisor">Start a built-in supervisor (<c>gateway supervise</c>) in place of the copy; ready once its gateway is.</param>
    /// <param name="cancellationToken">A stop: give up and kill the child.</param>
    Task<RespawnResult> RespawnAsync(TimeSpan readyTimeout, bool update, bool asSupervisor, CancellationToken cancellationToken);

    /// <summary>Stops a fresh copy that became ready just as a stop arrived: the operator wants no gateway.</summary>
    Task StopChildAsync(int childPid, TimeSpan budget);
}

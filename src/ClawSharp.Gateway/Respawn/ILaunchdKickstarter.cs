namespace ClawSharp.Gateway.Respawn;

/// <summary>
/// The launchd restart as the run loop sees it (a seam: the loop's decision tests pass a fake).
/// Production: <see cref="LaunchdKickstarter"/>.
/// </summary>
internal interface ILaunchdKickstarter
{
    /// <summary>Asks launchd to kill this job's running instance (this process) and start it again at once.</summary>
    /// <param name="cancellationToken">Stop waiting for <c>launchctl</c> (it is not killed: the kickstart may already be under way).</param>
    Task<KickstartResult> KickstartAsync(CancellationToken cancellationToken);
}

/// <summary>How a <c>launchctl kickstart -k</c> ended.</summary>
/// <param name="Succeeded">launchd took the request: it stops this process and starts a fresh one.</param>
/// <param name="Target">The service target asked for (<c>gui/501/ai.clawsharp.gateway</c>), or empty when none could be named.</param>
/// <param name="Detail">Why it failed (exit code and what launchctl said), for the log; empty on success.</param>
internal sealed record KickstartResult(bool Succeeded, string Target, string Detail)
{
    public static KickstartResult Failed(string target, string detail) => new(false, target, detail);
}

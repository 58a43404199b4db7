namespace ClawSharp.Control.Services.Launchd;

/// <summary>
/// <c>gateway start|stop|restart|status</c> for a gateway launchd runs. A stop is a
/// <c>bootout</c> (the job unloads): with <c>KeepAlive</c>, launchd would start a SIGTERMed gateway
/// again at once. So a start bootstraps the plist again when the job is not loaded.
/// </summary>
/// <param name="platform">The platform that installed it (directories, domain, the <c>launchctl</c> to run).</param>
/// <param name="scope">User (LaunchAgent) or system (LaunchDaemon).</param>
/// <param name="label">The job's label.</param>
internal sealed class LaunchdControl(LaunchdPlatform platform, ServiceScope scope, string label)
{
    private readonly Launchctl tool = platform.Launchctl;

    /// <summary>For the service <c>service.json</c> records.</summary>
    public static LaunchdControl For(ServiceRecord record, LaunchdPlatform platform) => new(platform, record.Scope, record.Name);

    /// <summary><c>gui/501/ai.clawsharp.gateway</c>.</summary>
    public string Service => platform.Service(scope, label);

    /// <summary>Loads the job if it is not (after a stop), then starts it; a running gateway is left as it is.</summary>
    /// <exception cref="ServiceCommandException">launchd refused (the message says what to try).</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!(await StatusAsync(cancellationToken).ConfigureAwait(false)).Loaded)
        {
            await tool.BootstrapAsync(platform.Domain(scope), label, platform.PlistPath(scope, label), cancellationToken).ConfigureAwait(false);
        }
        await tool.KickstartAsync(Service, kill: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the gateway (SIGTERM, then SIGKILL after <c>ExitTimeOut</c>) and unloads the job; false when it was not loaded.</summary>
    public Task<bool> StopAsync(CancellationToken cancellationToken) => tool.BootoutAsync(Service, cancellationToken);

    /// <summary>Kills the running gateway and starts a fresh one at once (<c>kickstart -k</c>); loads the job first if it is not.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        if (!(await StatusAsync(cancellationToken).ConfigureAwait(false)).Loaded)
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        await tool.KickstartAsync(Service, kill: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What launchd says about the job.</summary>
    public Task<LaunchdJobStatus> StatusAsync(CancellationToken cancellationToken) => tool.PrintAsync(Service, cancellationToken);
}

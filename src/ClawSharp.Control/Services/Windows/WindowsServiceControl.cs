namespace ClawSharp.Control.Services.Windows;

/// <summary>
/// <c>gateway start|stop|restart|status</c> for a gateway the Windows service control manager
/// runs. A stop through the SCM is final (no failure action runs after a requested stop), so
/// a restart is a stop, a wait until the SCM reports STOPPED, and a start.
/// </summary>
/// <param name="platform">The platform that installed it (the <c>sc.exe</c> to run).</param>
/// <param name="name">The service's name.</param>
/// <param name="time">The clock of the wait between stop and start.</param>
internal sealed class WindowsServiceControl(WindowsServicePlatform platform, string name, TimeProvider? time = null)
{
    private readonly ServiceControlManager tools = platform.Tools;
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    public static WindowsServiceControl For(ServiceRecord record, WindowsServicePlatform platform) => new(platform, record.Name);

    /// <summary>Starts the service; false when it ran already.</summary>
    public Task<bool> StartAsync(CancellationToken cancellationToken) => tools.StartAsync(name, cancellationToken);

    /// <summary>Asks the service to stop; false when it was not running.</summary>
    public Task<bool> StopAsync(CancellationToken cancellationToken) => tools.StopAsync(name, cancellationToken);

    /// <summary>Stops the service, waits up to <paramref name="stopTimeout"/> for the SCM to report it stopped, and starts it.</summary>
    /// <exception cref="ServiceCommandException">It did not stop in time.</exception>
    public async Task RestartAsync(TimeSpan stopTimeout, CancellationToken cancellationToken)
    {
        await tools.StopAndWaitAsync(name, stopTimeout, clock, cancellationToken).ConfigureAwait(false);
        await tools.StartAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the SCM says about the service.</summary>
    public Task<WindowsServiceStatus> StatusAsync(CancellationToken cancellationToken) => tools.QueryAsync(name, cancellationToken);
}

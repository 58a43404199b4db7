using System.Globalization;

namespace ClawSharp.Control.Services.Windows;

/// <summary><see cref="WindowsServiceControl"/> as the commands' <see cref="IServiceControl"/>: <c>sc.exe start|stop|queryex</c>.</summary>
internal sealed class WindowsServiceViewControl(WindowsServicePlatform platform) : IServiceControl
{
    /// <summary>How long a restart waits for the service to stop (60 s: above the gateway's default stop budget).</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    public async Task StartAsync(ServiceRecord record, CancellationToken cancellationToken)
    {
        if (!await WindowsServiceControl.For(record, platform).StartAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new ServiceCommandException($"the Windows service {record.Name} does not exist; 'clawsharp gateway install --force' creates it again");
        }
    }

    public Task StopAsync(ServiceRecord record, CancellationToken cancellationToken) =>
        WindowsServiceControl.For(record, platform).StopAsync(cancellationToken);

    /// <summary><c>sc.exe stop</c>, wait for STOPPED (the gateway's stop budget), <c>sc.exe start</c>: the SCM has no restart verb.</summary>
    public Task RestartProcessAsync(ServiceRecord record, CancellationToken cancellationToken) =>
        WindowsServiceControl.For(record, platform).RestartAsync(StopTimeout, cancellationToken);

    public async Task<ServiceView> ViewAsync(ServiceRecord record, CancellationToken cancellationToken)
    {
        WindowsServiceStatus service;
        try
        {
            service = await WindowsServiceControl.For(record, platform).StatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceCommandException e)
        {
            return new ServiceView("windows", false, false, false, null, null, $"the service control manager cannot be asked: {e.Message}", new Dictionary<string, string>());
        }
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["STATE"] = service.State };
        if (service.Pid is { } pid)
        {
            properties["PID"] = pid.ToString(CultureInfo.InvariantCulture);
        }
        if (service.Win32ExitCode is { } win32)
        {
            properties["WIN32_EXIT_CODE"] = win32.ToString(CultureInfo.InvariantCulture);
        }
        if (service.ServiceExitCode is { } exit)
        {
            properties["SERVICE_EXIT_CODE"] = exit.ToString(CultureInfo.InvariantCulture);
        }
        var summary = service.Exists
            ? $"windows: {service.State}{(service.Pid is > 0 ? $", pid {service.Pid}" : "")}"
            : $"the Windows service {record.Name} does not exist";
        return new ServiceView("windows", service.Exists, service.Running, false, service.Pid is > 0 ? service.Pid : null, record.Command.FirstOrDefault(), summary, properties);
    }
}

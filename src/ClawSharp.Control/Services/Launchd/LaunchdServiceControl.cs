using System.Globalization;

namespace ClawSharp.Control.Services.Launchd;

/// <summary><see cref="LaunchdControl"/> as the commands' <see cref="IServiceControl"/>: start bootstraps if needed and kickstarts, stop is bootout, the view is <c>launchctl print</c>.</summary>
internal sealed class LaunchdServiceControl(LaunchdPlatform platform) : IServiceControl
{
    public Task StartAsync(ServiceRecord record, CancellationToken cancellationToken) =>
        LaunchdControl.For(record, platform).StartAsync(cancellationToken);

    public Task StopAsync(ServiceRecord record, CancellationToken cancellationToken) =>
        LaunchdControl.For(record, platform).StopAsync(cancellationToken);

    /// <summary><c>launchctl kickstart -k</c>: launchd kills the job and starts its program again at once.</summary>
    public Task RestartProcessAsync(ServiceRecord record, CancellationToken cancellationToken) =>
        LaunchdControl.For(record, platform).RestartAsync(cancellationToken);

    public async Task<ServiceView> ViewAsync(ServiceRecord record, CancellationToken cancellationToken)
    {
        var control = LaunchdControl.For(record, platform);
        LaunchdJobStatus job;
        try
        {
            job = await control.StatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceCommandException e)
        {
            return new ServiceView("launchd", false, false, false, null, null, $"launchd cannot be asked: {e.Message}", new Dictionary<string, string>());
        }
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["state"] = job.State };
        if (job.Pid is { } pid)
        {
            properties["pid"] = pid.ToString(CultureInfo.InvariantCulture);
        }
        if (job.LastExitCode is { } exit)
        {
            properties["lastExitCode"] = exit.ToString(CultureInfo.InvariantCulture);
        }
        if (job.Runs is { } runs)
        {
            properties["runs"] = runs.ToString(CultureInfo.InvariantCulture);
        }
        var summary = !job.Loaded ? $"launchd has not loaded {control.Service} (stopped; 'clawsharp gateway start' bootstraps it)"
            : $"launchd: {job.State}{(job.Pid is { } p ? $", pid {p}" : "")}{(job.LastExitCode is { } last ? $", last exit {last}" : "")}";
        // The program is the plist's first argument, which install recorded.
        return new ServiceView("launchd", job.Loaded, job.Running, false, job.Pid, record.Command.FirstOrDefault(), summary, properties);
    }
}

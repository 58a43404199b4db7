namespace ClawSharp.Control.Services.Windows;

/// <summary>
/// Windows: the gateway as a service of the service control manager, created with <c>sc.exe</c>.
/// Nothing is rendered to a file: the SCM keeps the definition in the registry.
/// Activation order: create (delayed automatic start), description, failure actions (restart
/// after the restart delay, doubling twice; a non-zero exit counts as a failure), the environment
/// (registry value <c>Environment</c>), start. Deactivation: stop, delete.
/// </summary>
/// <param name="tools">The <c>sc.exe</c> and <c>reg.exe</c> to run.</param>
internal sealed class WindowsServicePlatform(ServiceControlManager? tools = null) : IServicePlatform
{
    public ServicePlatform Platform => ServicePlatform.Windows;

    /// <summary>The <c>sc.exe</c>/<c>reg.exe</c> this platform runs (shared with <see cref="WindowsServiceControl"/>).</summary>
    public ServiceControlManager Tools { get; } = tools ?? new ServiceControlManager();

    public IReadOnlyList<ServiceFile> Render(ServiceDefinition definition) => [];

    /// <summary>The SCM's restart delays: the restart delay, then twice and four times it (the SCM repeats the last one).</summary>
    public static IReadOnlyList<TimeSpan> RestartDelays(TimeSpan restartDelay) => [restartDelay, restartDelay * 2, restartDelay * 4];

    public static string DisplayName(string name) => $"ClawSharp gateway ({name})";

    public async Task<IReadOnlyList<string>> ActivateAsync(ServiceDefinition definition, CancellationToken cancellationToken)
    {
        var name = definition.Name;
        await Tools.CreateAsync(name, WindowsCommandLine.Join(definition.Command), DisplayName(name), definition.User, cancellationToken).ConfigureAwait(false);
        await Tools.DescribeAsync(name, $"The ClawSharp AI-agent gateway of {definition.State.Root}, on port {definition.Port}.", cancellationToken)
            .ConfigureAwait(false);
        await Tools.SetFailureActionsAsync(name, definition.StartLimitInterval, RestartDelays(definition.RestartDelay), cancellationToken).ConfigureAwait(false);
        await Tools.SetEnvironmentAsync(name, definition.Environment, cancellationToken).ConfigureAwait(false);
        await Tools.StartAsync(name, cancellationToken).ConfigureAwait(false);
        return definition.User is null
            ? [$"the service runs as LocalSystem; to run it as another account: sc.exe config {name} obj= <account> password= <password>"]
            : [];
    }

    /// <summary>How long uninstall waits for the service to stop: the gateway's default stop (drain + close) and a margin.</summary>
    private static readonly TimeSpan UninstallStopTimeout = TimeSpan.FromSeconds(60);

    public async Task DeactivateAsync(ServiceRecord record, CancellationToken cancellationToken)
    {
        // Deleted only once stopped: a running service is merely marked for deletion, and the next 'sc create' of the name fails (1072).
        await Tools.StopAndWaitAsync(record.Name, UninstallStopTimeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        await Tools.DeleteAsync(record.Name, cancellationToken).ConfigureAwait(false);
    }
}

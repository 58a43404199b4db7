namespace ClawSharp.Control.Services;

/// <summary>
/// One service manager, as <c>gateway install|uninstall</c> sees it: which files make its
/// definition, how to register and start it, how to take it down again. The files are written
/// and removed by <see cref="ServiceInstaller"/>, the same for every platform; a platform only
/// renders them and runs its manager's commands.
/// </summary>
internal interface IServicePlatform
{
    ServicePlatform Platform { get; }

    /// <summary>The definition's files (not the environment file, which the installer writes owner-only). Pure.</summary>
    IReadOnlyList<ServiceFile> Render(ServiceDefinition definition);

    /// <summary>Registers the written definition with the manager, enables it for boot/login, and starts it.</summary>
    /// <returns>Warnings worth telling the operator (e.g. lingering off); a failed step throws <see cref="ServiceCommandException"/>.</returns>
    Task<IReadOnlyList<string>> ActivateAsync(ServiceDefinition definition, CancellationToken cancellationToken);

    /// <summary>Stops the service and removes it from the manager (files are removed afterwards by the installer). Tolerates a service the manager no longer knows.</summary>
    Task DeactivateAsync(ServiceRecord record, CancellationToken cancellationToken);

    /// <summary>After the files are removed: the manager forgets the definition (systemd's <c>daemon-reload</c>). Most managers need nothing.</summary>
    Task ForgetAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

namespace ClawSharp.Control.Services.Systemd;

/// <summary>
/// The gateway's systemd units, operated: start clears a lockout first (<c>reset-failed</c>) and
/// starts the socket and the service; stop stops both (a socket left listening would start the
/// service again on the next connection); the view is <c>systemctl show</c>.
/// </summary>
/// <param name="systemctlFor">systemctl for a scope.</param>
internal sealed class SystemdControl(Func<ServiceScope, Systemctl> systemctlFor) : IServiceControl
{
    public async Task StartAsync(ServiceRecord record, CancellationToken cancellationToken)
    {
        var systemctl = systemctlFor(record.Scope);
        var service = SystemdUnits.ServiceUnitName(record.Name);
        var socket = SystemdUnits.SocketUnitName(record.Name);
        var view = SystemdUnitView.From(await systemctl.ShowAsync(service, SystemdUnitView.Properties, cancellationToken).ConfigureAwait(false));
        if (!view.Loaded)
        {
            throw new ServiceCommandException($"systemd does not know {service} (load state {view.LoadState}); 'clawsharp gateway install --force' writes it again");
        }
        if (view.GaveUp)
        {
            // After a start-limit lockout systemd refuses every start until told the cause is fixed.
            (await systemctl.RunAsync(cancellationToken, "reset-failed", service, socket).ConfigureAwait(false)).EnsureSucceeded();
        }
        (await systemctl.RunAsync(cancellationToken, "start", socket, service).ConfigureAwait(false))
            .EnsureSucceeded($"see '{systemctl.Describe("status", service)}' and 'clawsharp gateway logs'");
    }

    public async Task StopAsync(ServiceRecord record, CancellationToken cancellationToken)
    {
        var systemctl = systemctlFor(record.Scope);
        var service = SystemdUnits.ServiceUnitName(record.Name);
        (await systemctl.RunAsync(cancellationToken, "stop", service, SystemdUnits.SocketUnitName(record.Name)).ConfigureAwait(false))
            .EnsureSucceeded($"see '{systemctl.Describe("status", service)}'");
    }

    public async Task RestartProcessAsync(ServiceRecord record, CancellationToken cancellationToken)
    {
        var systemctl = systemctlFor(record.Scope);
        var service = SystemdUnits.ServiceUnitName(record.Name);
        // The socket unit stays: connections wait in its backlog while the new process starts.
        // --no-block: with Type=notify, 'restart' would otherwise wait for READY=1 up to TimeoutStartSec.
        (await systemctl.RunAsync(cancellationToken, "reset-failed", service).ConfigureAwait(false)).EnsureSucceeded();
        (await systemctl.RunAsync(cancellationToken, "restart", "--no-block", service).ConfigureAwait(false))
            .EnsureSucceeded($"see '{systemctl.Describe("status", service)}'");
    }

    public async Task<ServiceView> ViewAsync(ServiceRecord record, CancellationToken cancellationToken)
    {
        var service = SystemdUnits.ServiceUnitName(record.Name);
        IReadOnlyDictionary<string, string> show;
        try
        {
            show = await systemctlFor(record.Scope).ShowAsync(service, SystemdUnitView.Properties, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceCommandException e)
        {
            return new ServiceView("systemd", false, false, false, null, null, $"systemd cannot be asked: {e.Message}", new Dictionary<string, string>());
        }
        if (show.Count == 0)
        {
            return new ServiceView("systemd", false, false, false, null, null, $"systemd cannot be asked about {service}", show);
        }
        var view = SystemdUnitView.From(show);
        var properties = show.Where(pair => pair.Key != "ExecStart").ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        return new ServiceView("systemd", view.Loaded, view.ActiveState is "active" or "reloading", view.GaveUp, view.MainPid > 0 ? view.MainPid : null,
            view.ExecStartProgram, view.Loaded ? view.Describe() : $"systemd does not know {service} (load state {view.LoadState})", properties);
    }
}

using ClawSharp.Control.Lifecycle;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Services;

/// <summary>
/// <c>gateway install</c> and <c>gateway uninstall</c> as the commands see them. Install order:
/// load the config (a bad one fails here with 78, not in the service); refuse while a gateway
/// runs outside a service for this state directory (it holds the port the service needs); build
/// the definition; install; wait until the service's gateway is ready. Uninstall: stop through
/// the manager, remove every file the record names.
/// </summary>
internal static class ServiceSetup
{
    public static async Task<(InstallResult Result, ExitCode Code, int? Pid, int Port)> InstallAsync(ServiceInstallRequest request,
        Func<string, string?> getEnvironment, CancellationToken cancellationToken)
    {
        var state = request.State;
        if (ServicePlatforms.Current(getEnvironment) is not { } platformKind)
        {
            return (new InstallResult.Failed("no supported service manager on this platform (systemd, launchd or Windows services)"), ExitCode.Failure, null, 0);
        }
        GatewayConfig config;
        try
        {
            state.EnsureCreated();
            config = ConfigLoader.Load(state, request.Overrides);
        }
        catch (ConfigException e)
        {
            return (new InstallResult.Failed(e.Message), ExitCode.Config, null, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (new InstallResult.Failed($"cannot create the state directory {state.Root}: {e.Message}"), ExitCode.Failure, null, 0);
        }
        var existing = ServiceRecordStore.Read(state);
        var snapshot = DaemonSnapshot.Take(state);
        if ((snapshot.GatewayPid is not null || snapshot.Supervisor is not null) && existing is null)
        {
            // The built-in supervisor holds the port between two of its gateways too.
            var who = string.Join(", ", new[] { snapshot.GatewayPid is { } pid ? $"pid {pid}" : null, snapshot.Supervisor is { } s ? $"built-in supervisor pid {s.Pid}" : null }
                .OfType<string>());
            return (new InstallResult.Failed(
                $"a gateway for {state.Root} is running outside a service ({who}) and holds its port; stop it with 'clawsharp gateway stop', then install again"),
                ExitCode.Failure, snapshot.GatewayPid, 0);
        }
        var userHome = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        try
        {
            var platform = ServicePlatforms.Installer(platformKind, request.Scope, getEnvironment, userHome);
            var definition = ServiceDefinitionBuilder.Build(platformKind, request.Scope, state, config, request.Overrides,
                ServiceDefinitionBuilder.SelfCommandLine(), userHome, getEnvironment, user: null);
            var result = await ServiceInstaller.InstallAsync(platform, definition, request.Force, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            if (result is not InstallResult.Installed)
            {
                return (result, ExitCode.Failure, null, 0);
            }
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(request.ReadyTimeout);
            try
            {
                var ready = await GatewayReadinessWait.NewGenerationAsync(state, null, TimeProvider.System, limit.Token).ConfigureAwait(false);
                return (result, ExitCode.Success, ready, Gateway.Claim.GatewayLock.ReadOwner(state.LockFile)?.Port ?? definition.Port);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (new InstallResult.Failed(
                    $"the {ServiceInstaller.Describe(((InstallResult.Installed)result).Record)} is installed and started, but its gateway was not ready within {request.ReadyTimeout.TotalSeconds:0} s; see 'clawsharp gateway status' and 'clawsharp gateway logs'"),
                    ExitCode.Failure, null, 0);
            }
        }
        catch (ServiceCommandException e)
        {
            return (new InstallResult.Failed(e.Message), ExitCode.Failure, null, 0);
        }
    }

    public static async Task<UninstallResult> UninstallAsync(StateDirectory state, Func<string, string?> getEnvironment, CancellationToken cancellationToken)
    {
        if (ServiceRecordStore.Read(state, out var problem) is not { } record)
        {
            return problem is null ? new UninstallResult.NotInstalled() : new UninstallResult.Failed(problem);
        }
        try
        {
            var platform = ServicePlatforms.Installer(record.Platform, record.Scope, getEnvironment, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
            return await ServiceInstaller.UninstallAsync(platform, record, state, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceCommandException e)
        {
            return new UninstallResult.Failed(e.Message);
        }
    }
}

using ClawSharp.Control.Lifecycle;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.Services;

/// <summary>
/// <c>gateway start|stop</c> for a gateway with an installed service: through its manager,
/// never around it (ARCHITECTURE.md §3, "who restarts whom"). Start asks the manager and waits
/// for the one definition of ready; stop asks the manager and waits for the gateway to exit.
/// </summary>
internal static class ServiceGateway
{
    public static async Task<StartResult> StartAsync(ServiceRecord record, StateDirectory state, TimeSpan timeout, CancellationToken cancellationToken)
    {
        IServiceControl control;
        try
        {
            control = ServicePlatforms.Control(record.Platform);
        }
        catch (ServiceCommandException e)
        {
            return new StartResult.Failed(e.Message, ExitCode.Failure, [], StartFollowUp.None);
        }
        var what = ServiceInstaller.Describe(record);
        var snapshot = DaemonSnapshot.Take(state);
        if (snapshot.Supervisor is { } supervisor)
        {
            return new StartResult.Failed(
                $"a gateway for {state.Root} runs under the built-in supervisor (pid {supervisor.Pid}) beside the installed {what}; stop it with 'clawsharp gateway stop', then start again",
                ExitCode.Failure, [], StartFollowUp.None);
        }
        var view = await control.ViewAsync(record, cancellationToken).ConfigureAwait(false);
        if (view.Running && snapshot.GatewayPid is { } running)
        {
            return new StartResult.AlreadyRunning($"gateway is already running with PID {running} (managed by {view.Manager})", running);
        }
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            await control.StartAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceCommandException e)
        {
            return new StartResult.Failed(e.Message, ExitCode.Failure, [], StartFollowUp.ReadLogs);
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var pid = await GatewayReadinessWait.NewGenerationAsync(state, null, TimeProvider.System, limit.Token).ConfigureAwait(false);
            var port = Gateway.Claim.GatewayLock.ReadOwner(state.LockFile)?.Port ?? 0;
            return new StartResult.Started(pid, 0, port, TimeProvider.System.GetElapsedTime(started)) { ManagedBy = view.Manager };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var after = await control.ViewAsync(record, CancellationToken.None).ConfigureAwait(false);
            return new StartResult.Failed($"{what} started but the gateway was not ready within {timeout.TotalSeconds:0} s ({after.Summary})",
                ExitCode.Failure, [], StartFollowUp.ReadLogs);
        }
    }

    /// <param name="record">The installed service.</param>
    /// <param name="state">The state directory.</param>
    /// <param name="timeout">How long the gateway may take to exit once the manager was asked (a drain and a close; <c>sc.exe stop</c> returns at once).</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    public static async Task<StopResult> StopAsync(ServiceRecord record, StateDirectory state, TimeSpan timeout, CancellationToken cancellationToken)
    {
        IServiceControl control;
        try
        {
            control = ServicePlatforms.Control(record.Platform);
        }
        catch (ServiceCommandException e)
        {
            return new StopResult.Failed(e.Message);
        }
        var what = ServiceInstaller.Describe(record);
        var view = await control.ViewAsync(record, cancellationToken).ConfigureAwait(false);
        var gateway = Managers.UnmanagedGateway.LockGateway(DaemonSnapshot.Take(state));
        try
        {
            // Stopped even when it looks down: a unit waiting to be restarted (auto-restart) must not come back.
            await control.StopAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceCommandException e)
        {
            return new StopResult.Failed(e.Message);
        }
        if (gateway is not null && !await ProcessIdentity.WaitForExitAsync([gateway], timeout, TimeProvider.System, cancellationToken).ConfigureAwait(false))
        {
            return new StopResult.Failed($"{what} was asked to stop but the gateway (pid {gateway.Pid}) still runs after {timeout.TotalSeconds:0} s; see 'clawsharp gateway logs' (is it draining long work, or running outside the service?)");
        }
        return view.Running || gateway is not null
            ? new StopResult.Stopped($"gateway stopped ({what}{(gateway is null ? "" : $", pid {gateway.Pid}")})", [])
            : new StopResult.NotRunning([]);
    }
}

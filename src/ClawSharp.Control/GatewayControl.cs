using ClawSharp.Control.Client;
using ClawSharp.Control.Lifecycle;
using ClawSharp.Control.Status;
using ClawSharp.Daemon;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Respawn;

namespace ClawSharp.Control;

/// <summary>
/// The control API the <c>gateway start|stop|restart|status</c> commands call: each parses its
/// options, calls one method here, and prints the typed result. Who manages the gateway (the
/// built-in supervisor, or nobody) is decided behind it (<see cref="Managers.GatewayManagers"/>).
/// Ready always means: the lock names the gateway and <c>/readyz</c> answers 200
/// (<see cref="GatewayReadinessWait"/>); waiting for an exit is <see cref="Gateway.Infrastructure.ProcessIdentity.WaitForExitAsync"/>.
/// </summary>
internal static class GatewayControl
{
    /// <summary>Starts the gateway under its manager; returns once it is ready, or why not.</summary>
    public static Task<StartResult> StartAsync(GatewayLaunch launch, CancellationToken cancellationToken) =>
        GatewayStarter.StartAsync(launch, cancellationToken);

    /// <summary>Stops the gateway and its manager; <paramref name="warn"/> hears at once when SIGKILL follows an overrun.</summary>
    public static Task<StopResult> StopAsync(StateDirectory state, TimeSpan timeout, Action<string> warn, CancellationToken cancellationToken)
    {
        var service = Services.ServiceRecordStore.Read(state, out var problem);
        if (problem is not null)
        {
            // The gateway may run under a manager that would restart it after a signal of ours.
            warn(problem);
        }
        return service is not null
            ? Services.ServiceGateway.StopAsync(service, state, timeout, cancellationToken)
            : GatewayStopper.StopAsync(state, timeout, warn, TimeProvider.System, cancellationToken);
    }

    /// <summary>Restarts now or after a capped drain; returns once a new generation is ready.</summary>
    /// <exception cref="GatewayCallException">The gateway could not be reached or refused.</exception>
    public static Task<RestartResult> RestartAsync(RestartRequest request, CancellationToken cancellationToken) =>
        GatewayRestarter.RestartAsync(request, TimeProvider.System, cancellationToken);

    /// <summary>Asks the gateway for a safe restart; it restarts once active work drains.</summary>
    /// <exception cref="GatewayCallException">The gateway could not be reached or refused.</exception>
    public static Task<SafeRestartResult> RequestSafeRestartAsync(GatewayClient client, bool skipDeferral, CancellationToken cancellationToken) =>
        SafeRestarter.RequestAsync(client, skipDeferral, cancellationToken);

    /// <summary>
    /// Whether a gateway is on its way back: one owns the lock, one is restarting
    /// (<c>restarting.json</c>), or a supervisor runs that will start one. A connection refused or
    /// dropped then means "restarting", worth a wait, not "nothing there".
    /// </summary>
    public static bool IsComingBack(StateDirectory state)
    {
        var snapshot = DaemonSnapshot.Take(state);
        return snapshot.GatewayPid is not null || snapshot.Supervisor is not null;
    }

    /// <summary>Waits for a ready gateway whose generation started after this CLI was asked; returns its pid.</summary>
    public static Task<int> AwaitRestartedSinceRequestAsync(StateDirectory state, CancellationToken cancellationToken) =>
        GatewayReadinessWait.NewGenerationAsync(state, null, TimeProvider.System, cancellationToken, OperatorRequest.At);

    /// <summary>Follows a safe restart: each new drain summary, then the new generation's pid and how long it took to come back.</summary>
    public static Task<(int Pid, TimeSpan Back)> FollowSafeRestartAsync(GatewayClient client, StateDirectory state, string bootBefore, Action<string> drain,
        CancellationToken cancellationToken) =>
        SafeRestarter.FollowAsync(client, state, bootBefore, drain, TimeProvider.System, cancellationToken);

    /// <summary>
    /// The status of a state directory. <paramref name="ask"/> asks the gateway for its
    /// <c>status</c> (null when it does not answer); it is called only when a live gateway owns the lock.
    /// </summary>
    public static async Task<GatewayStatusReport> StatusAsync(StateDirectory state, Func<Task<Gateway.Protocol.StatusPayload?>> ask)
    {
        var snapshot = DaemonSnapshot.Take(state);
        if (Services.ServiceRecordStore.Read(state, out var serviceProblem) is null && serviceProblem is not null)
        {
            snapshot = snapshot with { Problems = [.. snapshot.Problems, serviceProblem] };
        }
        if (snapshot.Unsupervised is { } orphan)
        {
            snapshot = snapshot with
            {
                Problems = [.. snapshot.Problems, $"{DaemonSnapshot.UnsupervisedMessage(orphan.Pid, null)}: nothing restarts it after a crash; " +
                    $"'clawsharp gateway start --home {state.Root}' puts it back under one, refusing no connection"],
            };
        }
        var answer = snapshot.Gateway is not null ? await ask().ConfigureAwait(false) : null;
        var verdict = GatewayStatusDecision.Decide(snapshot, answer, TimeProvider.System.GetUtcNow());
        var service = await Services.ServiceStatusReader.ReadAsync(state, snapshot, CancellationToken.None).ConfigureAwait(false);
        if (service is { View.GaveUp: true } && verdict.Kind is GatewayStatusKind.Stopped)
        {
            // Nothing runs because the manager stopped trying: that is a failure to act on, not a stop.
            verdict = verdict with { Kind = GatewayStatusKind.Failed, Headline = service.View.Summary, ExitCode = Gateway.ExitCode.Failure };
        }
        return new GatewayStatusReport(state, snapshot, answer, verdict, UpdateFailureStore.Read(state), service,
            BinaryIdentity.Gateway(snapshot, answer), BinaryIdentity.Cli);
    }
}

namespace ClawSharp.Control.Services;

/// <summary>
/// Start, stop and look at an installed service through its manager, never around it: a
/// gateway that a service manager keeps alive must be stopped by that manager (a SIGTERM of
/// ours would be answered with a restart), and started by it (a second launcher would fight it).
/// </summary>
internal interface IServiceControl
{
    /// <summary>Starts the service (clearing a start-limit lockout first); returns once the manager says it started.</summary>
    /// <exception cref="ServiceCommandException">The manager refused or failed.</exception>
    Task StartAsync(ServiceRecord record, CancellationToken cancellationToken);

    /// <summary>Stops the service and keeps it from being restarted until the next start.</summary>
    /// <exception cref="ServiceCommandException">The manager refused or failed.</exception>
    Task StopAsync(ServiceRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the running gateway process and starts a new one of the service's program, without
    /// waiting for it to be ready (<c>clawsharp update</c> waits itself, with its own deadline):
    /// the only way to run a replaced binary, since a requested restart keeps the process
    /// (systemd: in process) or is not ours to make.
    /// </summary>
    /// <exception cref="ServiceCommandException">The manager refused or failed.</exception>
    Task RestartProcessAsync(ServiceRecord record, CancellationToken cancellationToken);

    /// <summary>The manager's view of the service; never throws (an unreachable manager is a view that says so).</summary>
    Task<ServiceView> ViewAsync(ServiceRecord record, CancellationToken cancellationToken);
}

/// <summary>What a service manager says about the gateway's service, for <c>status</c>.</summary>
/// <param name="Manager"><c>systemd</c>, <c>launchd</c>, <c>windows</c>.</param>
/// <param name="Known">The manager knows the service (a unit that is loaded, a job that is bootstrapped, a service that exists).</param>
/// <param name="Running">The manager runs it now.</param>
/// <param name="GaveUp">The manager stopped restarting it (start limit, failure it does not retry).</param>
/// <param name="MainPid">The process it runs, when it names one.</param>
/// <param name="Program">The program its definition runs (for drift against the running binary and the CLI).</param>
/// <param name="Summary">One line for the text status.</param>
/// <param name="Properties">The manager's own fields, as it names them (ActiveState, SubState, NRestarts, …), for <c>--json</c>.</param>
internal sealed record ServiceView(string Manager, bool Known, bool Running, bool GaveUp, int? MainPid, string? Program, string Summary,
    IReadOnlyDictionary<string, string> Properties);

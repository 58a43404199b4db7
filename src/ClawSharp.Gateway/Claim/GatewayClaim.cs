using System.Net;
using System.Net.Sockets;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.ServiceManagers;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Claim;

/// <summary>
/// Claims the state directory and the port for one start of the run loop (ARCHITECTURE.md §3,
/// "Lock"): take the lock or fail with "gateway already running" (exit 1; 78 for a supervised
/// duplicate whose owner answers), or with "pid N holds the lock but does not answer" when the
/// owner's <c>/readyz</c> times out (exit 1; <see cref="DuplicateStartPolicy"/> decides, this
/// type asks); keep, take over (from systemd's socket activation or a respawning parent) or bind
/// the listening socket. A socket systemd passed is the only one this process serves on: one that
/// does not serve the configuration fails the start with 78 (systemd holds that port; a socket
/// of our own would fight the socket unit). <c>--force</c> stops a stale (or stopped, or wedged)
/// owner first, on the first start only.
/// </summary>
/// <param name="state">The state directory.</param>
/// <param name="force">Stop a stale owner of the lock or the port before the first start.</param>
/// <param name="supervisor">Who supervises this process: the lock records it, and the duplicate-start exit code depends on it.</param>
/// <param name="spawned">Who started this process and the listening socket it inherits, if any.</param>
/// <param name="activation">The socket systemd passed (socket activation), if any.</param>
/// <param name="logger">The lifecycle log.</param>
/// <param name="ownReleaseGrace">How long a restart waits for the lock this process released (<see cref="AwaitOwnReleaseAsync"/>); null: 2 s.</param>
internal sealed class GatewayClaim(StateDirectory state, bool force, SupervisorKind supervisor, SpawnOrigin? spawned, SocketActivation? activation,
    ILogger logger, TimeSpan? ownReleaseGrace = null)
{
    private static readonly TimeSpan ForceGrace = TimeSpan.FromSeconds(10);

    // An exec takes milliseconds.
    private readonly TimeSpan ownReleaseGrace = ownReleaseGrace ?? TimeSpan.FromSeconds(2);

    private static readonly TimeSpan OwnReleasePoll = TimeSpan.FromMilliseconds(5);

    private readonly bool supervised = supervisor != SupervisorKind.None;

    // Offered once: a later start binds anew if the configuration moved away from it.
    private InheritedListener? inherited = spawned?.Listener;

    // Offered once; once adopted, the socket stays for the life of the process.
    private SocketActivation? activated = activation;

    /// <summary>Takes the lock: the lock, or the exit code a failed start ends with.</summary>
    public async Task<(GatewayLock? Lock, ExitCode? Failure)> AcquireLockAsync(GatewayOptions options, bool firstStart, CancellationToken cancellationToken)
    {
        try
        {
            return await TryAcquireLockAsync(options, firstStart, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable or unwritable lock file: a start failure, never an escape from the loop.
            ClaimLog.StartFailed(logger, $"cannot use the lock file {state.LockFile}: {e.Message}");
            return (null, ExitCode.Failure);
        }
    }

    /// <summary>
    /// The socket to serve on: <paramref name="current"/> when it serves the configuration (it
    /// is disposed otherwise), else the one systemd passed, else the one a respawning parent
    /// handed over, else a new one; or the exit code a failed start ends with. A socket systemd
    /// passed is never disposed: when the configuration moved away from it, it is returned
    /// along with the failure (78), ready for a start whose configuration matches again.
    /// </summary>
    public async Task<(ListenSocket? Listener, ExitCode? Failure)> EnsureListeningAsync(ListenSocket? current, GatewayOptions options, bool firstStart,
        CancellationToken cancellationToken)
    {
        if (current is not null && current.Serves(options.Bind, options.Port))
        {
            return (current, null);
        }
        if (current is { Activated: true })
        {
            ClaimLog.ActivatedSocketRefused(logger, StaleSocketUnit(current.Endpoint.ToString(), $"it is bound to {current.Endpoint} but the configuration now asks for {options.Bind}:{options.Port}"));
            return (current, ExitCode.Config);
        }
        current?.Dispose();
        if (activated is { } passed)
        {
            activated = null;
            return AdoptActivated(passed, options);
        }
        if (AdoptInheritedListener(options) is { } adopted)
        {
            return (adopted, null);
        }
        return await BindAsync(options, force: firstStart && force, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(GatewayLock?, ExitCode?)> TryAcquireLockAsync(GatewayOptions options, bool firstStart, CancellationToken cancellationToken)
    {
        var bind = options.Bind.ToString();
        var manager = LockOwner.ManagerName(supervisor);
        var attempt = GatewayLock.TryAcquire(state.LockFile, options.Port, bind, manager, logger, options.TokenFile);
        if (!firstStart || spawned is { Respawned: true })
        {
            attempt = await AwaitOwnReleaseAsync(attempt, () => GatewayLock.TryAcquire(state.LockFile, options.Port, bind, manager, logger, options.TokenFile),
                cancellationToken).ConfigureAwait(false);
        }
        if (attempt is LockAttempt.Held forced && firstStart && force)
        {
            if (!await new StaleGatewayTerminator(logger, ForceGrace).TerminateLockOwnerAsync(forced.Owner, state.LockFile).ConfigureAwait(false))
            {
                ClaimLog.ForceFailed(logger, "the lock owner could not be verified as a running gateway");
            }
            attempt = GatewayLock.TryAcquire(state.LockFile, options.Port, bind, manager, logger, options.TokenFile);
        }
        switch (attempt)
        {
            case LockAttempt.Acquired acquired:
                return (acquired.Lock, null);
            case LockAttempt.Held { Owner: { } owner }:
                var answer = DuplicateStartPolicy.ShouldProbeOwner(supervised, owner.Port, lockOwner: true)
                    ? await ProbeLockOwnerAsync(owner, cancellationToken).ConfigureAwait(false)
                    : ReadinessAnswer.Unknown;
                var verdict = DuplicateStartPolicy.Decide(supervised, owner.Port, answer);
                if (verdict.OwnerUnresponsive)
                {
                    ClaimLog.OwnerUnresponsive(logger, DuplicateStartPolicy.DescribeUnresponsiveOwner(owner.Pid, DuplicateStartPolicy.OwnerProbeTimeout));
                }
                else
                {
                    ClaimLog.AlreadyRunning(logger, DuplicateStartPolicy.DescribeRunningOwner(owner.Pid, owner.Port, owner.Manager));
                }
                return (null, verdict.Code);
            default:
                ClaimLog.AlreadyRunningUnknown(logger, state.Root);
                // The owner's port is unknown: the configured one is asked, for a supervised duplicate's exit code only.
                return (null, (await DecideDuplicateAsync(options.Bind.ToString(), options.Port, lockOwner: false, cancellationToken).ConfigureAwait(false)).Code);
        }
    }

    /// <summary>
    /// A start right after a release of the lock (an in-process restart's, or the respawning
    /// parent's) finds it still held when another thread of the releasing process forked at that
    /// moment: the child shares the open file description the lock belongs to until its exec
    /// closes it (O_CLOEXEC). Such a lock names no owner (release empties the file) or this
    /// process; it is asked again every <see cref="OwnReleasePoll"/> for up to the grace instead
    /// of failing the start with "already running".
    /// </summary>
    private async Task<LockAttempt> AwaitOwnReleaseAsync(LockAttempt attempt, Func<LockAttempt> again, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var logged = false;
        while (attempt is LockAttempt.Held held && (held.Owner is null || held.Owner.Pid == Environment.ProcessId)
            && waited.Elapsed < ownReleaseGrace && !cancellationToken.IsCancellationRequested)
        {
            if (!logged)
            {
                ClaimLog.AwaitingOwnRelease(logger, state.LockFile, (long)ownReleaseGrace.TotalMilliseconds);
                logged = true;
            }
            try
            {
                await Task.Delay(OwnReleasePoll, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            attempt = again();
        }
        return attempt;
    }

    /// <summary>
    /// Asks the lock's <paramref name="owner"/> for <c>/readyz</c>, once, within
    /// <see cref="DuplicateStartPolicy.OwnerProbeTimeout"/>; <see cref="ReadinessAnswer.Unknown"/> when it has no port yet.
    /// </summary>
    public static async Task<ReadinessAnswer> ProbeLockOwnerAsync(LockOwner owner, CancellationToken cancellationToken)
    {
        var probed = await ProbeAsync(owner.Bind, owner.Port, cancellationToken).ConfigureAwait(false);
        var stopped = Infrastructure.ProcStat.Fields(owner.Pid)?[Infrastructure.ProcStat.State] is "T" or "t";
        return DuplicateStartPolicy.OwnerAnswer(probed, stopped, DateTimeOffset.UtcNow - owner.AcquiredAt);
    }

    private async Task<(ListenSocket?, ExitCode?)> BindAsync(GatewayOptions options, bool force, CancellationToken cancellationToken)
    {
        try
        {
            return (ListenSocket.Bind(options.Bind, options.Port), null);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            if (force)
            {
                if (await new StaleGatewayTerminator(logger, ForceGrace).FreePortAsync(options.Port).ConfigureAwait(false) is { } problem)
                {
                    ClaimLog.ForceFailed(logger, problem);
                }
                else
                {
                    return await BindAsync(options, force: false, cancellationToken).ConfigureAwait(false);
                }
            }
            ClaimLog.BindFailed(logger, options.Bind.ToString(), options.Port, DescribePortHolder(options.Port));
            return (null, (await DecideDuplicateAsync(options.Bind.ToString(), options.Port, lockOwner: false, cancellationToken).ConfigureAwait(false)).Code);
        }
        catch (SocketException e)
        {
            // Not an address of this host, or a privileged port: the configuration is wrong.
            ClaimLog.BindFailed(logger, options.Bind.ToString(), options.Port, e.Message);
            return (null, ExitCode.Config);
        }
    }

    /// <summary>
    /// The socket systemd passed, once: adopted when it serves the configuration; otherwise the
    /// start fails with 78 and binds nothing (systemd holds the port: the socket unit is stale).
    /// </summary>
    private (ListenSocket?, ExitCode?) AdoptActivated(SocketActivation passed, GatewayOptions options)
    {
        var adopted = ListenSocket.TryAdopt(passed, options.Bind, options.Port, out var problem);
        if (adopted is null)
        {
            ClaimLog.ActivatedSocketRefused(logger, StaleSocketUnit(passed.Describe(), problem ?? "unknown"));
            return (null, ExitCode.Config);
        }
        ClaimLog.ActivatedSocketAdopted(logger, adopted.Endpoint.ToString(), passed.Describe(), passed.Count);
        return (adopted, null);
    }

    private static string StaleSocketUnit(string socket, string problem) =>
        $"cannot serve on the socket systemd passed ({socket}): {problem}. The socket unit is stale: rerun 'clawsharp gateway install --force'. "
        + "No socket of its own is bound instead: systemd holds that socket, and a second one would fight the socket unit";

    /// <summary>The socket the spawning gateway handed over, once: adopted when it serves the configuration, else closed.</summary>
    private ListenSocket? AdoptInheritedListener(GatewayOptions options)
    {
        if (inherited is not { } handed)
        {
            return null;
        }
        inherited = null;
        var adopted = ListenSocket.TryAdopt(handed, options.Bind, options.Port, out var problem);
        if (adopted is null)
        {
            ClaimLog.InheritedListenerRefused(logger, handed.Descriptor, problem ?? "unknown");
            return null;
        }
        ClaimLog.InheritedListenerAdopted(logger, adopted.Endpoint.ToString(), handed.Descriptor, spawned!.ParentPid);
        return adopted;
    }

    /// <summary>Probes the owner when <see cref="DuplicateStartPolicy.ShouldProbeOwner"/> says so, then lets the policy decide.</summary>
    private async Task<DuplicateVerdict> DecideDuplicateAsync(string bind, int port, bool lockOwner, CancellationToken cancellationToken)
    {
        var answer = DuplicateStartPolicy.ShouldProbeOwner(supervised, port, lockOwner)
            ? await ProbeAsync(bind, port, cancellationToken).ConfigureAwait(false)
            : ReadinessAnswer.Unknown;
        return DuplicateStartPolicy.Decide(supervised, port, answer);
    }

    private static Task<ReadinessAnswer> ProbeAsync(string bind, int port, CancellationToken cancellationToken) =>
        port != 0 && IPAddress.TryParse(bind, out var address)
            ? GatewayReadiness.ProbeAsync(address, port, DuplicateStartPolicy.OwnerProbeTimeout, cancellationToken)
            : Task.FromResult(ReadinessAnswer.Unknown);

    private static string DescribePortHolder(int port)
    {
        var holders = Infrastructure.PortOwners.Find(port);
        if (holders.Count == 0)
        {
            return $"port {port} is already in use";
        }
        var pid = holders[0];
        var what = Infrastructure.PortOwners.IsClawSharp(pid) ? "a clawsharp gateway" : Infrastructure.ProcessIdentity.CommandLine(pid) ?? "unknown";
        return $"port {port} is already in use by pid {pid} ({what}); stop it, choose another --port, or pass --force to stop a stale gateway";
    }
}

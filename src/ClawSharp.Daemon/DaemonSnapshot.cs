using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Respawn;
using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Daemon;

/// <summary>
/// What the state directory says about the daemon, with every PID checked against the process
/// that has it now (start time), so the CLI never trusts or signals a dead or reused PID.
/// </summary>
/// <param name="Daemon">daemon.json, when readable.</param>
/// <param name="Supervisor">The supervisor, when daemon.json names it and it is that process still.</param>
/// <param name="Gateway">The gateway that owns gateway.lock, verified (supervised or not).</param>
/// <param name="StartingGateway">The supervisor's child that does not own the lock yet, verified.</param>
/// <param name="Problems">What was found wrong: a corrupt daemon.json, a stale or reused PID.</param>
internal sealed record DaemonSnapshot(
    DaemonState? Daemon,
    ProcessIdentity? Supervisor,
    LockOwner? Gateway,
    ProcessIdentity? StartingGateway,
    IReadOnlyList<string> Problems)
{
    /// <summary>
    /// Set when gateway.lock names a live process (its start time matching) that does not hold the
    /// lock: the message to refuse with (<see cref="ForeignLockOwnerMessage"/>). That process is never signalled.
    /// </summary>
    public string? ForeignLockOwner { get; init; }

    /// <summary>Some process holds gateway.lock, but the file does not say which (<see cref="ForeignLockOwner"/> says so).</summary>
    public bool UnreadableLockHeld { get; init; }

    /// <summary>A supervisor holds supervisor.lock even though daemon.json cannot tell which one.</summary>
    public bool UnknownSupervisorAlive { get; init; }

    /// <summary>A gateway between closing its server and the end of its restart (it owns no lock, or its fresh copy does not answer yet).</summary>
    public RestartingProcess? Restarting { get; init; }

    /// <summary>
    /// The last <c>gateway start</c> refused before any process started (start-failed.json), when it
    /// is newer than daemon.json's last word: older news than what a supervisor wrote since is left out.
    /// </summary>
    public StartFailure? StartFailure { get; init; }

    /// <summary>
    /// The gateway a built-in supervisor started that serves on after that supervisor died (killed,
    /// OOM): daemon.json still says it runs and names this very gateway, and no process holds
    /// supervisor.lock. Nothing would restart it after a crash; <c>gateway start</c> (or any restart
    /// of it) puts it back under a new supervisor. Null otherwise, and on Windows (no hand-over).
    /// </summary>
    public LockOwner? Unsupervised =>
        !OperatingSystem.IsWindows()
        && this is
        {
            Gateway: { } owner, Supervisor: null, UnknownSupervisorAlive: false, Restarting: null,
            Daemon: { State: not (DaemonPhase.Stopped or DaemonPhase.Failed) } daemon
        }
        && owner.Manager == LockOwner.ManagerName(SupervisorKind.Builtin)
        && daemon.GatewayPid == owner.Pid && daemon.GatewayStartTime == owner.StartTime
            ? owner : null;

    /// <summary>What status says of <see cref="Unsupervised"/>, and <c>gateway start</c> when it puts it back under a supervisor.</summary>
    public static string UnsupervisedMessage(int gatewayPid, int? deadSupervisorPid) =>
        $"gateway pid {gatewayPid} serves without its supervisor{(deadSupervisorPid is { } dead ? $" (pid {dead}, no longer running)" : "")}";

    /// <summary>The gateway's PID, whether it owns the lock yet or not.</summary>
    public int? GatewayPid => Gateway?.Pid ?? StartingGateway?.Pid ?? Restarting?.Pid;

    /// <summary><see cref="Restarting"/> as a verified identity (the record was checked when read).</summary>
    public ProcessIdentity? RestartingProcess => Restarting is { } r ? new ProcessIdentity(r.Pid, r.StartTime) : null;

    /// <summary>
    /// daemon.json, the lock and restarting.json, read as one picture: they are three files, so a
    /// read that straddles a supervisor's write (a gateway just started) is taken again, at most
    /// twice more, rather than pairing the new lock with the record from before it.
    /// </summary>
    public static DaemonSnapshot Take(StateDirectory state)
    {
        var snapshot = TakeOnce(state);
        for (var retry = 0; retry < 2 && UpdatedAt(state) != snapshot.Daemon?.UpdatedAt; retry++)
        {
            snapshot = TakeOnce(state);
        }
        return snapshot;
    }

    private static DateTimeOffset? UpdatedAt(StateDirectory state) =>
        DaemonStateFile.Read(state) is DaemonStateRead.Found found ? found.State.UpdatedAt : null;

    private static DaemonSnapshot TakeOnce(StateDirectory state)
    {
        var problems = new List<string>();
        DaemonState? daemon = null;
        ProcessIdentity? supervisor = null;
        ProcessIdentity? starting = null;
        var unknownSupervisor = false;
        switch (DaemonStateFile.Read(state))
        {
            case DaemonStateRead.Corrupt corrupt:
                unknownSupervisor = SupervisorLock.IsHeld(state.SupervisorLockFile);
                problems.Add(unknownSupervisor
                    ? $"daemon.json is corrupt ({corrupt.Problem}); a supervisor still holds supervisor.lock and rewrites the file at its next change"
                    : $"daemon.json is corrupt ({corrupt.Problem}); no supervisor holds supervisor.lock, so none is running");
                break;
            case DaemonStateRead.Found found:
                daemon = found.State;
                supervisor = Verify(daemon.SupervisorPid, daemon.SupervisorStartTime, "supervisor", daemon.State, problems);
                if (supervisor is not null && !LockHolders.MayHold(supervisor.Pid, state.SupervisorLockFile))
                {
                    problems.Add($"daemon.json names supervisor pid {supervisor.Pid} ({Name(supervisor.Pid)}), which does not hold supervisor.lock: it is not ours and is left alone");
                    supervisor = null;
                }
                // Checked even when the supervisor is dead: its child may outlive it, still starting.
                if (daemon.GatewayPid is { } child && daemon.GatewayStartTime is { } childStart)
                {
                    starting = Verify(child, childStart, "gateway", daemon.State, problems);
                }
                break;
        }
        var owner = GatewayLock.ReadOwner(state.LockFile);
        var match = owner is null ? ProcessMatch.Dead : ProcessIdentity.Check(owner.Pid, owner.StartTime);
        var gateway = match == ProcessMatch.Same ? owner : null;
        string? impostor = null;
        var unreadableLockHeld = false;
        if (gateway is not null && !LockHolders.MayHold(gateway.Pid, state.LockFile))
        {
            // A live process with the right start time, but the lock is not its: a hand-written or copied file. Never ours to signal.
            impostor = ForeignLockOwnerMessage(state, gateway.Pid);
            problems.Add(impostor);
            gateway = null;
        }
        else if (owner is null && IsHeldButUnreadable(state))
        {
            // Held, so a gateway owns the state directory, but the file no longer says which (spoiled, or rewritten by hand).
            impostor = UnreadableLockMessage(state);
            unreadableLockHeld = true;
            problems.Add(impostor);
        }
        else if (owner is not null && gateway is null)
        {
            problems.Add(match == ProcessMatch.Reused
                ? $"the lock names pid {owner.Pid}, which now belongs to another program"
                : $"the lock names pid {owner.Pid}, which is no longer running");
        }
        if (gateway is not null && starting?.Pid == gateway.Pid)
        {
            starting = null;
        }
        var restarting = RestartInProgress.Read(state);
        var refused = StartFailureStore.Read(state);
        return new DaemonSnapshot(daemon, supervisor, gateway, starting, problems)
        {
            StartFailure = refused is not null && (daemon is null || refused.At > daemon.UpdatedAt) ? refused : null,
            UnknownSupervisorAlive = unknownSupervisor,
            ForeignLockOwner = impostor,
            UnreadableLockHeld = unreadableLockHeld,
            Restarting = restarting?.Pid == gateway?.Pid ? null : restarting,
        };
    }

    /// <summary>
    /// gateway.lock is held, not empty, and still unreadable when read again: spoiled. An owner
    /// empties it before it lets go and writes it right after it locks, and overwrites it whole
    /// (then trims), so an empty file or one read mid-write is a moment, not a corruption.
    /// </summary>
    public static bool IsHeldButUnreadable(StateDirectory state)
    {
        var file = new FileInfo(state.LockFile);
        return file is { Exists: true, Length: > 0 } && SupervisorLock.IsHeld(state.LockFile) && GatewayLock.ReadOwner(state.LockFile) is null
            && new FileInfo(state.LockFile).Length > 0;
    }

    /// <summary>What status, 'gateway stop' and 'gateway restart' say when gateway.lock is held but does not name its holder.</summary>
    public static string UnreadableLockMessage(StateDirectory state) =>
        $"gateway.lock is held by a running process but does not name it (the file is corrupt): not signalling anyone; find the holder with 'fuser {state.LockFile}' and stop it";

    /// <summary>What 'gateway stop' and 'gateway restart' say when gateway.lock names a process that does not hold it.</summary>
    public static string ForeignLockOwnerMessage(StateDirectory state, int pid) =>
        $"gateway.lock names pid {pid} ({Name(pid)}), which does not hold the lock: not signalling it; remove the stale file with 'rm {state.LockFile}'";

    private static string Name(int pid) =>
        ProcessIdentity.CommandLine(pid) is { Length: > 0 } commandLine ? ClawSharp.Gateway.Logging.SafeLogText.Escape(Path.GetFileName(commandLine.Split(' ')[0]), 64) : "unknown";

    private static ProcessIdentity? Verify(int pid, long startTime, string what, DaemonPhase phase, List<string> problems)
    {
        switch (ProcessIdentity.Check(pid, startTime))
        {
            case ProcessMatch.Same:
                return new ProcessIdentity(pid, startTime);
            case ProcessMatch.Reused when phase is not (DaemonPhase.Stopped or DaemonPhase.Failed):
                problems.Add($"daemon.json names {what} pid {pid}, which now belongs to another program ({ProcessIdentity.CommandLine(pid) ?? "unknown"}); it is not ours and is left alone");
                return null;
            case ProcessMatch.Dead when phase is not (DaemonPhase.Stopped or DaemonPhase.Failed):
                problems.Add($"daemon.json says {phase.ToString().ToLowerInvariant()} but its {what} pid {pid} is no longer running");
                return null;
            default:
                return null;
        }
    }
}

using ClawSharp.Control.Lifecycle;
using ClawSharp.Control.Services;
using ClawSharp.Daemon;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Respawn;

namespace ClawSharp.Control.Update;

/// <summary>
/// <c>clawsharp update --from … | --rollback</c>. Order: resolve the new binary (a release
/// folder's build for this machine, or a bare binary; for a rollback <c>TARGET.previous</c>);
/// check its SHA-256; ask it for <c>--version</c>; swap it in by rename, keeping the current one
/// as <c>TARGET.previous</c> (<see cref="BinarySwap"/>); restart the gateway onto it through its
/// owner: an installed service through its manager (<see cref="IServiceControl.RestartProcessAsync"/>),
/// else the gateway itself with an update restart (reason <c>update</c>: it spawns the new binary on
/// the same socket and waits 10 s for it, else kills it and restarts in process), or the built-in
/// supervisor (the gateway exits 75, the supervisor starts the binary now installed). A new
/// binary that never becomes ready is swapped back out, the gateway is brought back on the
/// previous one, and the failure is recorded in <c>update-failed.json</c> for <c>status</c>.
/// Invariant: when this returns, the installed binary is the one the gateway runs (or, with no
/// gateway, the new one); a refusal changes nothing.
/// </summary>
internal static class GatewayUpdater
{
    /// <summary>How long a new binary has to become ready once started (ARCHITECTURE.md §3, "update restart": 10 s).</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long the gateway may take to come back on the previous binary after a failed update.</summary>
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(30);

    public static async Task<UpdateResult> UpdateAsync(UpdateRequest request, CancellationToken cancellationToken)
    {
        // The file itself, not a symbolic link to it: renaming over a link would replace the link and leave the file the gateway runs as it was.
        var target = ServiceStatus.RealPath(Path.GetFullPath(request.InstalledBinary));
        if (OwnerProgram(request.State) is { } runs && !ServiceStatus.SameFile(runs, target))
        {
            // Swapping another file than the one the gateway runs would restart it onto the old binary and call that an update.
            return new UpdateResult(UpdateOutcome.Refused,
                $"the gateway of {request.State.Root} runs {runs}, not {target}; nothing was changed. Update the binary it runs: 'clawsharp update --target {runs} …'",
                target, null);
        }
        var prepared = await PrepareAsync(request, target, cancellationToken).ConfigureAwait(false);
        if (prepared.Outcome == UpdateOutcome.Refused)
        {
            return prepared;
        }
        var state = request.State;
        if (ServiceRecordStore.Read(state) is { } service)
        {
            return await ThroughServiceAsync(request, service, prepared, cancellationToken).ConfigureAwait(false);
        }
        var owner = GatewayLock.ReadOwner(state.LockFile);
        var supervised = DaemonSnapshot.Take(state).Supervisor is not null;
        if (!supervised && (owner is null || ProcessIdentity.Check(owner.Pid, owner.StartTime) != ProcessMatch.Same))
        {
            return prepared with { Message = $"{Replaced(prepared)}; no gateway is running for {state.Root}, so none was restarted (the next start runs {prepared.ToVersion})" };
        }
        return await ThroughGatewayAsync(request, prepared, owner?.Pid, supervised, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The program the gateway's owner runs: the installed service's (its definition names it), else the running gateway's executable; null when unknown.</summary>
    private static string? OwnerProgram(Gateway.Configuration.StateDirectory state)
    {
        if (ServiceRecordStore.Read(state) is { Command: [var program, ..] })
        {
            return SelfCommand.IsDotnetHost(program) ? null : program;
        }
        if (GatewayLock.ReadOwner(state.LockFile) is { } owner && ProcessIdentity.Check(owner.Pid, owner.StartTime) == ProcessMatch.Same
            && Status.ProcessExecutable.Of(owner.Pid) is { } running)
        {
            // A file renamed over since the gateway started shows as "PATH (deleted)": the path is still the one it runs from.
            var path = running.EndsWith(" (deleted)", StringComparison.Ordinal) ? running[..^" (deleted)".Length] : running;
            return SelfCommand.IsDotnetHost(path) ? null : path;
        }
        return null;
    }

    /// <summary>
    /// The update restart's drain fits in this command's budget, with room for the new binary to get
    /// ready: left to the gateway's own deferral (300 s), a long agent run would outlast the command,
    /// which would then roll back while the gateway's update restart was still pending.
    /// </summary>
    private static TimeSpan? DrainCap(TimeSpan budget) =>
        budget == Timeout.InfiniteTimeSpan ? null
        // At least 1 ms: a cap of 0 means "wait indefinitely" on the wire.
        : budget - ReadyTimeout - DrainCapMargin is { TotalMilliseconds: >= 1 } cap ? cap : TimeSpan.FromMilliseconds(1);

    /// <summary>What the budget keeps besides the drain and the new binary's readiness: the close and the hand-over.</summary>
    private static readonly TimeSpan DrainCapMargin = TimeSpan.FromSeconds(10);

    /// <summary>Everything before the restart; <see cref="UpdateOutcome.Refused"/> changed nothing, else the binary is swapped (<see cref="UpdateOutcome.Replaced"/>).</summary>
    private static async Task<UpdateResult> PrepareAsync(UpdateRequest request, string target, CancellationToken cancellationToken)
    {
        string? source = null;
        string? to = null;
        try
        {
            if (!File.Exists(target))
            {
                throw new UpdateRefusedException($"the installed binary {target} does not exist (give the one to replace with --target PATH)");
            }
            var release = request.Rollback ? RollbackSource(target) : ReleaseSources.Resolve(request.From!, request.Sha256, request.NoVerify, ReleaseSources.CurrentRid());
            source = release.Binary;
            if (Path.GetFullPath(source) == target)
            {
                throw new UpdateRefusedException($"{source} is the installed binary itself");
            }
            if (release.ExpectedSha256 is { } expected && ReleaseSources.HashOf(source) is var actual && actual != expected)
            {
                throw new UpdateRefusedException($"checksum mismatch: {source} has SHA-256 {actual}, {release.ChecksumSource} expects {expected}; nothing was changed");
            }
            to = await BinaryProbe.VersionAsync(source, cancellationToken).ConfigureAwait(false);
            var from = await CurrentVersionAsync(target, cancellationToken).ConfigureAwait(false);
            BinarySwap.Install(source, release.Companions, target, release.ExpectedSha256);
            return new UpdateResult(UpdateOutcome.Replaced, "", target, source, from, to, BinarySwap.PreviousOf(target));
        }
        catch (UpdateRefusedException e)
        {
            return new UpdateResult(UpdateOutcome.Refused, e.Message, target, source, ToVersion: to);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new UpdateResult(UpdateOutcome.Refused, $"could not replace {target}: {e.Message}; it was left as it was", target, source, ToVersion: to);
        }
    }

    private static ReleaseSource RollbackSource(string target)
    {
        var previous = BinarySwap.PreviousOf(target);
        return File.Exists(previous) ? new ReleaseSource(previous, null, null, BinarySwap.PreviousCompanions(target))
            : throw new UpdateRefusedException($"there is no previous binary to roll back to ({previous} does not exist)");
    }

    private static async Task<string> CurrentVersionAsync(string target, CancellationToken cancellationToken)
    {
        try
        {
            return await BinaryProbe.VersionAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch (UpdateRefusedException)
        {
            return "unknown";
        }
    }

    /// <summary>Unmanaged or under the built-in supervisor: an update restart of the gateway (SIGUSR1 with an intent whose reason is <c>update</c>).</summary>
    private static async Task<UpdateResult> ThroughGatewayAsync(UpdateRequest request, UpdateResult prepared, int? oldPid, bool supervised,
        CancellationToken cancellationToken)
    {
        var asked = DateTimeOffset.UtcNow;
        var restart = await GatewayRestarter.RestartAsync(
            new RestartRequest(request.State, request.Target, Force: false, DrainCap(request.Budget), request.Budget, CallerWork: null, Reason: Gateway.Lifecycle.RestartModeSelector.UpdateReason),
            TimeProvider.System, cancellationToken).ConfigureAwait(false);
        var managedBy = supervised ? "supervisor" : "gateway";
        // Alone, the gateway falls back in process when the new binary is not ready: the same pid, a new generation.
        if (restart is RestartResult.Restarted restarted && (supervised || restarted.Pid != oldPid))
        {
            ClearFailure(request);
            return prepared with
            {
                Outcome = UpdateOutcome.Updated,
                GatewayPid = restarted.Pid,
                ManagedBy = managedBy,
                Message = $"updated {prepared.Binary} from {prepared.FromVersion} to {prepared.ToVersion}; the gateway runs it (pid {restarted.Pid})",
            };
        }
        var recorded = UpdateFailureStore.Read(request.State) is { } failure && failure.At >= asked ? failure : null;
        var why = recorded?.Reason switch
        {
            "child-not-ready" => $"not ready in {ReadyTimeout.TotalSeconds:0} s",
            "child-exited" => "it exited before it was ready",
            "spawn-failed" => "it could not be started",
            _ => Describe(restart),
        };
        return await RollBackAsync(request, prepared, why, recorded, managedBy, async token =>
        {
            if (restart is RestartResult.Restarted back)
            {
                return back.Pid;
            }
            if (restart is RestartResult.TimedOut)
            {
                // The gateway may have started the new binary just before this budget ended: let its readiness window pass, so the
                // gateway judged below (it must run the restored binary) is the one that stays, not one about to hand over.
                await Task.Delay(ReadyTimeout, token).ConfigureAwait(false);
            }
            return await GatewayReadinessWait.NewGenerationAsync(request.State, null, TimeProvider.System, token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An installed service: the manager ends the process and starts the service's program (now the new binary); ready within 10 s of the old one's exit, or rolled back.</summary>
    private static async Task<UpdateResult> ThroughServiceAsync(UpdateRequest request, ServiceRecord service, UpdateResult prepared, CancellationToken cancellationToken)
    {
        var state = request.State;
        var managedBy = service.Platform.ToString().ToLowerInvariant();
        var old = Managers.UnmanagedGateway.LockGateway(DaemonSnapshot.Take(state));
        IServiceControl control;
        try
        {
            control = ServicePlatforms.Control(service.Platform);
            if (old is null && !(await control.ViewAsync(service, cancellationToken).ConfigureAwait(false)).Running)
            {
                // Stopped on purpose (maintenance): an update must not start it.
                return prepared with { Message = $"{Replaced(prepared)}; the {ServiceInstaller.Describe(service)} is stopped, so it was not started (its next start runs {prepared.ToVersion})" };
            }
            await control.RestartProcessAsync(service, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceCommandException e)
        {
            return await RollBackAsync(request, prepared, $"{managedBy} could not restart it ({e.Message})", null, managedBy, async token =>
            {
                // Rolled back means a gateway serves the previous binary: the old one if it still does, else one the manager starts now.
                if (old is not null && ProcessIdentity.Check(old.Pid, old.StartTime) == ProcessMatch.Same
                    && await GatewayReadiness.ReadyPortAsync(state, old.Pid, token).ConfigureAwait(false) is not null)
                {
                    return old.Pid;
                }
                var failed = Managers.UnmanagedGateway.LockGateway(DaemonSnapshot.Take(state));
                await ServicePlatforms.Control(service.Platform).StartAsync(service, token).ConfigureAwait(false);
                return await ReadyAfterAsync(state, failed, RecoveryTimeout, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        var pid = await ReadyAfterAsync(state, old, request.Budget, cancellationToken).ConfigureAwait(false);
        if (pid is { } ready)
        {
            ClearFailure(request);
            return prepared with
            {
                Outcome = UpdateOutcome.Updated,
                GatewayPid = ready,
                ManagedBy = managedBy,
                Message = $"updated {prepared.Binary} from {prepared.FromVersion} to {prepared.ToVersion}; {managedBy} runs it (pid {ready})",
            };
        }
        return await RollBackAsync(request, prepared, $"not ready in {ReadyTimeout.TotalSeconds:0} s", null, managedBy, async token =>
        {
            // The manager is still waiting on the broken process: restart again, now onto the previous binary.
            var failed = Managers.UnmanagedGateway.LockGateway(DaemonSnapshot.Take(state));
            await control.RestartProcessAsync(service, token).ConfigureAwait(false);
            return await ReadyAfterAsync(state, failed, RecoveryTimeout, token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits for <paramref name="old"/> to exit (within <paramref name="stopBudget"/>), then up to 10 s for a ready gateway; its pid, or null.</summary>
    private static async Task<int?> ReadyAfterAsync(Gateway.Configuration.StateDirectory state, ProcessIdentity? old, TimeSpan stopBudget, CancellationToken cancellationToken)
    {
        if (old is not null && !await ProcessIdentity.WaitForExitAsync([old], stopBudget, TimeProvider.System, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ReadyTimeout);
        try
        {
            return await GatewayReadinessWait.NewGenerationAsync(state, null, TimeProvider.System, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Puts the previous binary back, brings the gateway back on it (<paramref name="recover"/>: its pid, or null), and records the failure.</summary>
    private static async Task<UpdateResult> RollBackAsync(UpdateRequest request, UpdateResult prepared, string why, UpdateFailure? recorded, string managedBy,
        Func<CancellationToken, Task<int?>> recover, CancellationToken cancellationToken)
    {
        try
        {
            BinarySwap.Restore(prepared.Binary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The broken binary stays in place: say so, and how to put the previous one back by hand.
            var stuck = $"update to {prepared.ToVersion} failed: {why}; the previous binary could not be put back ({e.Message}): " +
                $"'mv {BinarySwap.PreviousOf(prepared.Binary)} {prepared.Binary}', then restart the gateway";
            return prepared with { Outcome = UpdateOutcome.Failed, Message = stuck, ManagedBy = managedBy };
        }
        var message = $"update to {prepared.ToVersion} failed: {why}; rolled back to {prepared.FromVersion}";
        int? pid = null;
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            limit.CancelAfter(RecoveryTimeout);
            try
            {
                pid = await recover(limit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ServiceCommandException && !cancellationToken.IsCancellationRequested)
            {
            }
        }
        if (pid is { } recovered && !RunsFile(recovered, prepared.Binary, out var runs))
        {
            // A ready gateway is not enough: one that still runs the new binary (a restart that went through late) is no rollback.
            message += $", but the gateway that is ready (pid {recovered}) runs {runs}, not the restored binary; restart it: 'clawsharp gateway restart'";
            pid = null;
        }
        else if (pid is null)
        {
            message += $", but no gateway is ready on it yet; see 'clawsharp gateway status'";
        }
        var outcome = pid is null ? UpdateOutcome.Failed : UpdateOutcome.RolledBack;
        try
        {
            UpdateFailureStore.Write(request.State, new UpdateFailure(DateTimeOffset.UtcNow, recorded?.Reason ?? "not-ready", recorded?.ChildPid, message,
                prepared.FromVersion, prepared.ToVersion, prepared.Binary));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            message += $" (not recorded in {request.State.UpdateFailedFile}: {e.Message})";
        }
        return prepared with { Outcome = outcome, Message = message, GatewayPid = pid, ManagedBy = managedBy, Previous = null };
    }

    /// <summary>
    /// Whether process <paramref name="pid"/> runs the binary now at <paramref name="path"/>: its executable (Linux:
    /// <c>/proc/PID/exe</c>) is that file, or, renamed over since it started ("PATH (deleted)": the gateway that ran the
    /// binary a rollback put back as a copy), an image with the same contents. Where the system does not say (or under
    /// the dotnet host), taken as yes.
    /// </summary>
    internal static bool RunsFile(int pid, string path, out string? runs)
    {
        runs = Status.ProcessExecutable.Of(pid);
        if (runs is null || SelfCommand.IsDotnetHost(runs) || ServiceStatus.SameFile(runs, path))
        {
            return true;
        }
        try
        {
            // The image stays readable through /proc after its file was renamed over.
            using var image = File.OpenRead($"/proc/{pid}/exe");
            using var file = File.OpenRead(path);
            return image.Length == file.Length && System.Security.Cryptography.SHA256.HashData(image).AsSpan().SequenceEqual(System.Security.Cryptography.SHA256.HashData(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static void ClearFailure(UpdateRequest request)
    {
        try
        {
            UpdateFailureStore.Clear(request.State);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string Replaced(UpdateResult prepared) =>
        $"replaced {prepared.Binary} ({prepared.FromVersion} → {prepared.ToVersion}; the previous one is {prepared.Previous})";

    private static string Describe(RestartResult result) => result switch
    {
        RestartResult.Failed failed => failed.Message,
        RestartResult.Refused refused => $"the gateway refused the restart ({refused.Reason})",
        RestartResult.TimedOut timedOut => $"no new gateway was ready within {timedOut.Budget.TotalSeconds:0} s",
        RestartResult.Restarted => $"not ready in {ReadyTimeout.TotalSeconds:0} s (the gateway restarted in process on the previous binary)",
        _ => "the gateway did not restart onto it",
    };
}

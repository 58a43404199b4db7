using System.Diagnostics;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.SelfTest;

/// <summary>
/// Applies one fault to the scratch gateway and waits for it to be ready again: a new generation
/// (another boot id) answering <c>/readyz</c> 200, within <see cref="SelfTestOptions.RecoveryBound"/>.
/// Signals go only to PIDs the state directory names and that are verified (<see cref="Daemon.DaemonSnapshot"/>).
/// </summary>
internal sealed class FaultDriver(ScratchGateway gateway, SelfTestOptions options)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Applies <paramref name="kind"/> to the generation <paramref name="bootBefore"/>; returns the outcome and the boot id serving after it.</summary>
    public async Task<(FaultOutcome Outcome, string? Boot)> ApplyAsync(int cycle, FaultKind kind, string bootBefore, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var step = await DoAsync(kind, bootBefore, cancellationToken).ConfigureAwait(false);
        if (step.Skipped is not null)
        {
            return (new FaultOutcome(cycle, FaultKinds.Name(kind), true, 0, step.Skipped, null, startedAt), bootBefore);
        }
        if (step.Failure is not null)
        {
            // Not recovered as it should; whatever serves now (if anything) carries the run on.
            var after = await gateway.WaitReadyAsync(null, options.RecoveryBound, cancellationToken).ConfigureAwait(false);
            return (new FaultOutcome(cycle, FaultKinds.Name(kind), false, clock.ElapsedMilliseconds, null, step.Failure, startedAt), after);
        }
        var boot = await gateway.WaitReadyAsync(bootBefore, options.RecoveryBound, cancellationToken).ConfigureAwait(false);
        var recoveryMs = clock.ElapsedMilliseconds;
        var note = boot is null ? Join(step.Note, $"not ready again within {options.RecoveryBound.TotalSeconds:F0} s") : step.Note;
        return (new FaultOutcome(cycle, FaultKinds.Name(kind), boot is not null, recoveryMs, null, note, startedAt), boot);
    }

    private async Task<Step> DoAsync(FaultKind kind, string bootBefore, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case FaultKind.KillGateway:
                return Signal(GatewayPid(), Posix.SIGKILL, "gateway");
            case FaultKind.KillSupervisor:
                return await KillSupervisorAsync(cancellationToken).ConfigureAwait(false);
            case FaultKind.TermAndStart:
                return await TermAndStartAsync(cancellationToken).ConfigureAwait(false);
            case FaultKind.Usr1:
                return Signal(GatewayPid(), Posix.SIGUSR1, "gateway");
            case FaultKind.RestartSafe:
                return await CliStepAsync(["gateway", "restart", "--safe"], cancellationToken).ConfigureAwait(false);
            case FaultKind.RestartForce:
                return await CliStepAsync(["gateway", "restart", "--force"], cancellationToken).ConfigureAwait(false);
            case FaultKind.RestartWait:
                return await CliStepAsync(["gateway", "restart", "--wait", "1s"], cancellationToken).ConfigureAwait(false);
            case FaultKind.BrokenConfig:
                return await BrokenConfigAsync(cancellationToken).ConfigureAwait(false);
            case FaultKind.ReadOnlyLogs:
                return await ReadOnlyLogsAsync(bootBefore, cancellationToken).ConfigureAwait(false);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private async Task<Step> KillSupervisorAsync(CancellationToken cancellationToken)
    {
        var supervisor = gateway.Observe().Supervisor;
        if (supervisor is null)
        {
            return Step.Failed("no supervisor is running to kill");
        }
        Posix.Kill(supervisor.Pid, Posix.SIGKILL);
        await ProcessIdentity.WaitForExitAsync([supervisor], TimeSpan.FromSeconds(10), TimeProvider.System, cancellationToken).ConfigureAwait(false);
        var start = await gateway.RunCliAsync(["gateway", "start"], CommandTimeout, cancellationToken).ConfigureAwait(false);
        if (gateway.Observe().Supervisor is not null)
        {
            return Step.Done($"gateway start: exit {start.ExitCode}");
        }
        // 'gateway start' puts a gateway that outlived its supervisor back under a new one. When it could not,
        // the gateway serves alone and the next kill -9 would find nobody to start it again: it is stopped and started.
        var stop = await gateway.RunCliAsync(["gateway", "stop"], CommandTimeout, cancellationToken).ConfigureAwait(false);
        var again = await gateway.RunCliAsync(["gateway", "start"], CommandTimeout, cancellationToken).ConfigureAwait(false);
        return again.ExitCode == 0
            ? Step.Done($"orphaned gateway ({start.FirstLine}); stop exit {stop.ExitCode}, start exit 0")
            : Step.Failed($"gateway start after the supervisor's kill failed: exit {again.ExitCode}: {again.FirstLine}");
    }

    private async Task<Step> TermAndStartAsync(CancellationToken cancellationToken)
    {
        var snapshot = gateway.Observe();
        if (snapshot.Gateway is not { } owner || ProcessIdentity.Of(owner.Pid) is not { } process)
        {
            return Step.Failed("no gateway owns the lock");
        }
        Posix.Kill(process.Pid, Posix.SIGTERM);
        var processes = snapshot.Supervisor is { } supervisor ? new[] { process, supervisor } : [process];
        if (!await ProcessIdentity.WaitForExitAsync(processes, options.RecoveryBound, TimeProvider.System, cancellationToken).ConfigureAwait(false))
        {
            return Step.Failed($"SIGTERM: the gateway (pid {process.Pid}) or its supervisor did not exit within {options.RecoveryBound.TotalSeconds:F0} s");
        }
        var start = await gateway.RunCliAsync(["gateway", "start"], CommandTimeout, cancellationToken).ConfigureAwait(false);
        return start.ExitCode == 0 ? Step.Done(null) : Step.Failed($"gateway start after SIGTERM: exit {start.ExitCode}: {start.FirstLine}");
    }

    private async Task<Step> BrokenConfigAsync(CancellationToken cancellationToken)
    {
        var good = await File.ReadAllTextAsync(gateway.State.ConfigFile, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(gateway.State.ConfigFile, ScratchConfig.Broken(gateway.Port), cancellationToken).ConfigureAwait(false);
        CliOutcome refused;
        try
        {
            refused = await gateway.RunCliAsync(["gateway", "restart"], CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await File.WriteAllTextAsync(gateway.State.ConfigFile, good, CancellationToken.None).ConfigureAwait(false);
        }
        if (refused.ExitCode == 0)
        {
            return Step.Failed("gateway restart with an invalid config.json succeeded; it should have been refused");
        }
        var restart = await gateway.RunCliAsync(["gateway", "restart"], CommandTimeout, cancellationToken).ConfigureAwait(false);
        return restart.ExitCode == 0
            ? Step.Done($"refused while broken (exit {refused.ExitCode}); restarted once repaired")
            : Step.Failed($"gateway restart after the repair: exit {restart.ExitCode}: {restart.FirstLine}");
    }

    private async Task<Step> ReadOnlyLogsAsync(string bootBefore, CancellationToken cancellationToken)
    {
        var logs = gateway.State.LogsDirectory;
        if (ReadOnlyLogDirectory.Mount(logs) is { } unavailable)
        {
            return Step.Skip(unavailable);
        }
        gateway.ReadOnlyMount = logs;
        try
        {
            var signalled = Signal(GatewayPid(), Posix.SIGUSR1, "gateway");
            if (signalled.Failure is not null)
            {
                return signalled;
            }
            // Writable again only once a new generation serves: it must start, and run, without its log.
            return await gateway.WaitReadyAsync(bootBefore, options.RecoveryBound, cancellationToken).ConfigureAwait(false) is null
                ? Step.Failed($"not ready again within {options.RecoveryBound.TotalSeconds:F0} s with logs/ read-only")
                : Step.Done("restarted with logs/ read-only");
        }
        finally
        {
            if (ReadOnlyLogDirectory.Unmount(logs) is null)
            {
                gateway.ReadOnlyMount = null;
            }
        }
    }

    private async Task<Step> CliStepAsync(string[] args, CancellationToken cancellationToken)
    {
        var outcome = await gateway.RunCliAsync(args, CommandTimeout, cancellationToken).ConfigureAwait(false);
        return outcome.ExitCode == 0 ? Step.Done(null) : Step.Failed($"clawsharp {string.Join(' ', args)}: exit {outcome.ExitCode}: {outcome.FirstLine}");
    }

    private int? GatewayPid() => gateway.Observe().Gateway?.Pid;

    private static Step Signal(int? pid, int signal, string what) =>
        pid is { } p && Posix.Kill(p, signal) ? Step.Done(null) : Step.Failed($"no {what} process to signal");

    private static string Join(string? first, string second) => first is null ? second : $"{first}; {second}";

    private sealed record Step(string? Skipped, string? Failure, string? Note)
    {
        public static Step Done(string? note) => new(null, null, note);

        public static Step Failed(string failure) => new(null, failure, null);

        public static Step Skip(string why) => new(why, null, null);
    }
}

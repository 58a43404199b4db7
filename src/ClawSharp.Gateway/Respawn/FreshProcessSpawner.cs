using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.ServiceManagers;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Respawn;

/// <summary>Why a fresh-PID respawn did not hand over.</summary>
internal enum RespawnFailure
{
    /// <summary>The new process could not be started at all.</summary>
    SpawnFailed,

    /// <summary>The new process exited before it was ready.</summary>
    ChildExited,

    /// <summary>The new process was not ready within <see cref="RestartOptions.SpawnReadyTimeout"/>.</summary>
    ChildNotReady,

    /// <summary>A stop arrived while waiting; the new process was killed.</summary>
    Cancelled,

    /// <summary>The new process was stopped on request (exit 0) before it was ready: this one stops too.</summary>
    ChildStopped,
}

/// <summary>The outcome of <see cref="FreshProcessSpawner.RespawnAsync"/>.</summary>
internal abstract record RespawnResult
{
    private RespawnResult()
    {
    }

    /// <summary>The new process owns the lock and answers <c>/readyz</c> 200: this one exits 0.</summary>
    public sealed record Ready(int ChildPid, TimeSpan Elapsed) : RespawnResult;

    /// <summary>No hand-over; the new process, if any, is dead. The caller restarts in process (or stops, when <see cref="RespawnFailure.Cancelled"/>).</summary>
    public sealed record Failed(RespawnFailure Failure, int? ChildPid, string Detail) : RespawnResult;
}

/// <summary>
/// The fresh-PID respawn of an unsupervised gateway (ARCHITECTURE.md §3, "spawned" and
/// "update restart" rows), run after the server has closed and the lock is released; for a
/// daemon's gateway whose supervisor died, the process started is a new supervisor
/// (<see cref="SupervisorRespawn"/>), ready once its gateway is.
/// Order: duplicate the listening socket without close-on-exec; start this program again with
/// the same arguments (a <c>--token</c> moved to <c>CLAWSHARP_TOKEN</c>) and environment plus the hand-over variables (<see cref="SpawnOrigin"/>);
/// close the duplicate; poll every 200 ms until the lock names the child and the child answers
/// <c>/readyz</c> 200 on the port the lock records; on failure kill the child (SIGKILL, only
/// that verified process), write a stability bundle, log why and, for an update restart,
/// record the failure in <c>update-failed.json</c>; on success of an update restart delete it.
/// Invariant: when this returns anything but <see cref="RespawnResult.Ready"/>, no child it
/// started is alive, so the caller can take the lock and keep serving on the socket it holds.
/// </summary>
/// <param name="listener">The listening socket to hand over, read at each respawn; null when this process holds none (after a failed start).</param>
internal sealed class FreshProcessSpawner(Func<ListenSocket?> listener, StateDirectory state, GatewayFaults faults, StabilityBundleWriter bundles, TimeProvider time,
    ILogger logger) : IRespawner
{
    /// <summary>How often the child's readiness is polled (PROTOCOL.md: 200 ms).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private const string MissingProgram = "/nonexistent/clawsharp-spawn-fails";
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    // Read at start, before 'clawsharp update' can rename a new binary over this one: afterwards
    // /proc/self/exe names the replaced file ("… (deleted)" or "clawsharp.previous"), and an update
    // restart must start the binary now installed at the path this process was started from.
    private readonly string? program = Environment.ProcessPath;

    public async Task<RespawnResult> RespawnAsync(TimeSpan readyTimeout, bool update, bool asSupervisor, CancellationToken cancellationToken)
    {
        var result = await SpawnAndWaitAsync(listener(), readyTimeout, asSupervisor, cancellationToken).ConfigureAwait(false);
        switch (result)
        {
            case RespawnResult.Ready ready:
                RespawnLog.RespawnReady(logger, ready.ChildPid, ready.Elapsed.TotalMilliseconds);
                if (update)
                {
                    ClearUpdateFailure();
                }
                break;
            case RespawnResult.Failed { Failure: RespawnFailure.Cancelled or RespawnFailure.ChildStopped }:
                break;
            case RespawnResult.Failed failed:
                var bundle = bundles.Write("respawn-failed", failed.Detail);
                RespawnLog.RespawnFailed(logger, failed.Detail, bundle ?? "not written");
                if (update)
                {
                    RecordUpdateFailure(failed);
                }
                break;
        }
        return result;
    }

    /// <summary>The <c>reason</c> string of <c>update-failed.json</c>.</summary>
    public static string ReasonOf(RespawnFailure failure) => failure switch
    {
        RespawnFailure.SpawnFailed => "spawn-failed",
        RespawnFailure.ChildExited => "child-exited",
        RespawnFailure.ChildNotReady => "child-not-ready",
        _ => "cancelled",
    };

    /// <summary>This program's arguments, without argv[0] unless it names the app a <c>dotnet</c> host runs.</summary>
    internal static IReadOnlyList<string> SameArguments(string processPath, string[] commandLineArgs) =>
        SelfCommand.IsDotnetHost(processPath) ? commandLineArgs : commandLineArgs[1..];

    private async Task<RespawnResult> SpawnAndWaitAsync(ListenSocket? listener, TimeSpan readyTimeout, bool asSupervisor, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        Process child;
        try
        {
            child = Start(listener, asSupervisor);
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            return new RespawnResult.Failed(RespawnFailure.SpawnFailed, null, $"could not start a fresh process: {e.Message}");
        }
        using (child)
        {
            var identity = ProcessIdentity.Of(child.Id);
            if (asSupervisor)
            {
                RespawnLog.SupervisorRespawnStarted(logger, child.Id, (long)readyTimeout.TotalMilliseconds);
            }
            else
            {
                RespawnLog.RespawnStarted(logger, child.Id, (long)readyTimeout.TotalMilliseconds);
            }
            var failure = await WaitUntilReadyAsync(child, started, readyTimeout, asSupervisor, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                return new RespawnResult.Ready(child.Id, time.GetElapsedTime(started));
            }
            if (asSupervisor)
            {
                await SupervisorRespawn.StopAsync(child, identity, KillWait, time).ConfigureAwait(false);
            }
            await KillAsync(child, identity).ConfigureAwait(false);
            return failure;
        }
    }

    private Process Start(ListenSocket? listener, bool asSupervisor)
    {
        var processPath = program ?? throw new InvalidOperationException("the path of this program is unknown");
        var info = new ProcessStartInfo(faults.SpawnFails ? MissingProgram : processPath) { UseShellExecute = false };
        // Never a token on the copy's command line (world-readable): it goes through the environment, which only this user can read.
        var arguments = TokenArguments.WithoutToken(SameArguments(processPath, Environment.GetCommandLineArgs()), out var token);
        if (asSupervisor)
        {
            arguments = [.. SupervisorRespawn.Arguments(arguments) ?? throw new InvalidOperationException("the command line holds no 'gateway run' to supervise")];
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        if (token is not null)
        {
            info.Environment[TokenArguments.EnvironmentVariable] = token;
        }
        info.Environment[SpawnOrigin.SpawnedByVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        // Only an unsupervised gateway (or one whose built-in supervisor died) respawns itself: the copy is unsupervised too.
        info.Environment.Remove(SupervisorDetection.EnvironmentVariable);
        info.Environment.Remove(SupervisorDetection.SupervisorPidVariable);
        var descriptor = -1;
        try
        {
            if (listener is not null)
            {
                descriptor = listener.DuplicateForChild();
                info.Environment[SpawnOrigin.ListenFdVariable] = descriptor.ToString(CultureInfo.InvariantCulture);
                info.Environment[SpawnOrigin.ListenEndpointVariable] = listener.Endpoint.ToString();
            }
            return Process.Start(info) ?? throw new InvalidOperationException("Process.Start returned no process");
        }
        finally
        {
            // Hazard: anything spawned while this duplicate is open inherits the port.
            if (descriptor >= 0)
            {
                Posix.Close(descriptor);
            }
        }
    }

    /// <summary>Null once the child (a supervisor: its gateway) is ready; else why not.</summary>
    private async Task<RespawnResult.Failed?> WaitUntilReadyAsync(Process child, long started, TimeSpan readyTimeout, bool asSupervisor,
        CancellationToken cancellationToken)
    {
        var pid = child.Id;
        while (true)
        {
            if (child.HasExited && child.ExitCode == (int)ExitCode.Success)
            {
                // Exit 0 is a stop on request ('gateway stop' found the child in the lock): the operator wants no gateway.
                return new RespawnResult.Failed(RespawnFailure.ChildStopped, pid, $"the fresh process (pid {pid}) was stopped before it was ready");
            }
            if (child.HasExited)
            {
                return new RespawnResult.Failed(RespawnFailure.ChildExited, pid,
                    $"the fresh process (pid {pid}) exited with code {child.ExitCode} before it was ready");
            }
            if (await GatewayReadiness.ReadyPortAsync(state, pid, cancellationToken, ProbeTimeout, orItsChild: asSupervisor).ConfigureAwait(false) is not null)
            {
                return null;
            }
            if (cancellationToken.IsCancellationRequested)
            {
                return new RespawnResult.Failed(RespawnFailure.Cancelled, pid, $"a stop arrived while waiting for the fresh process (pid {pid})");
            }
            if (time.GetElapsedTime(started) >= readyTimeout)
            {
                return new RespawnResult.Failed(RespawnFailure.ChildNotReady, pid,
                    $"the fresh process (pid {pid}) was not ready within {readyTimeout.TotalMilliseconds:F0} ms");
            }
            try
            {
                await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>SIGTERM to the fresh copy (verified by its start time), then waits for it within the stop budget.</summary>
    public async Task StopChildAsync(int childPid, TimeSpan budget)
    {
        if (ProcessIdentity.Of(childPid) is not { } child)
        {
            return;
        }
        Posix.Kill(child.Pid, Posix.SIGTERM);
        await ProcessIdentity.WaitForExitAsync([child], budget, time).ConfigureAwait(false);
    }

    /// <summary>SIGKILL, only while the PID is still the child we started (same start time), then wait for its exit.</summary>
    private static async Task KillAsync(Process child, ProcessIdentity? identity)
    {
        // The Process object has not reaped its child, so its PID cannot have been reused: kill it even without an identity.
        if (!child.HasExited && (identity is null || ProcessIdentity.Check(identity.Pid, identity.StartTime) != ProcessMatch.Reused))
        {
            Posix.Kill(child.Id, Posix.SIGKILL);
        }
        using var wait = new CancellationTokenSource(KillWait);
        try
        {
            await child.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void RecordUpdateFailure(RespawnResult.Failed failed)
    {
        try
        {
            UpdateFailureStore.Write(state, new UpdateFailure(time.GetUtcNow(), ReasonOf(failed.Failure), failed.ChildPid, failed.Detail));
            RespawnLog.UpdateFailureRecorded(logger, state.UpdateFailedFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RespawnLog.UpdateFailureNotRecorded(logger, state.UpdateFailedFile, e.Message);
        }
    }

    private void ClearUpdateFailure()
    {
        try
        {
            UpdateFailureStore.Clear(state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RespawnLog.UpdateFailureNotRecorded(logger, state.UpdateFailedFile, e.Message);
        }
    }
}

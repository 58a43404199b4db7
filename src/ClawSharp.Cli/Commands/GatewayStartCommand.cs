using System.CommandLine;
using System.Diagnostics;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Logging;
using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway start</c>: launches the built-in supervisor detached from the terminal,
/// which starts the gateway; returns once the gateway answers <c>/readyz</c>, or fails with the
/// reason and the last log lines.
/// </summary>
internal static class GatewayStartCommand
{
    private const int FailureLogLines = 15;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private static readonly DaemonLaunchOptions Launch = new();
    private static readonly Option<TimeSpan?> Timeout = CliOptions.Duration("--timeout", "How long to wait for the gateway to be ready (default daemon.startTimeoutMs, 15s)");
    private static readonly Option<bool> Json = new("--json") { Description = "Print the result as JSON alone on stdout" };

    public static Command Build()
    {
        var command = new Command("start", "Start the gateway in the background under the built-in supervisor (restarts it after a crash).")
        {
            Timeout, Json,
        };
        Launch.AddTo(command);
        command.SetAction((parse, ct) => StartAsync(parse, ct));
        return command;
    }

    private static async Task<int> StartAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        var json = parse.GetValue(Json);
        var next = NextCommands(parse);
        try
        {
            state.EnsureCreated();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(json, $"cannot create the state directory {state.Root}: {e.Message}", [], ExitCode.Failure);
        }
        var overrides = Launch.Overrides(parse);
        GatewayConfig config;
        try
        {
            config = ConfigLoader.Load(state, overrides);
        }
        catch (ConfigException e)
        {
            return Failed(json, e.Message, [], ExitCode.Config);
        }
        var snapshot = DaemonSnapshot.Take(state);
        if (AlreadyRunning(snapshot) is { } running)
        {
            return new LifecycleReport("start", false, null, running)
            {
                Hints = [$"'clawsharp gateway status{next}' shows it; 'clawsharp gateway restart{next}' restarts it"],
                Fields = new Dictionary<string, object?> { ["pid"] = snapshot.GatewayPid },
            }.Print(json, ExitCode.Failure);
        }
        var started = Stopwatch.GetTimestamp();
        Process supervisor;
        try
        {
            supervisor = SpawnSupervisor(state, overrides);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return Failed(json, $"cannot start the supervisor: {e.Message}", [], ExitCode.Failure);
        }
        using (supervisor)
        {
            var deadline = parse.GetValue(Timeout) ?? config.Daemon.StartTimeout;
            var outcome = await WaitForReadyAsync(state, supervisor, deadline, cancellationToken).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (outcome.Ready is { } ready)
            {
                return new LifecycleReport("start", true, "started",
                    $"gateway started: pid {ready.GatewayPid}, port {ready.Port} (supervisor pid {ready.SupervisorPid}); ready in {elapsed:F0} ms")
                {
                    Details =
                    [
                        $"log: {state.LogFile}",
                        $"next: clawsharp gateway status{next} | clawsharp gateway logs -f{next} | clawsharp gateway stop{next}",
                    ],
                    Fields = new Dictionary<string, object?>
                    {
                        ["pid"] = ready.GatewayPid,
                        ["supervisorPid"] = ready.SupervisorPid,
                        ["port"] = ready.Port,
                        ["logFile"] = state.LogFile,
                        ["stateDir"] = state.Root,
                    },
                }.Print(json, ExitCode.Success);
            }
            // Only lines this start's gateway wrote explain its failure; older ones would mislead.
            var logLines = outcome.GatewayRan ? GatewayLogFiles.Tail(state, FailureLogLines) : [];
            return Failed(json, outcome.Problem!, logLines, ExitCode.Failure,
                outcome.StillSupervised ? $"it is still supervised; 'clawsharp gateway status{next}' follows it, 'clawsharp gateway stop{next}' ends it"
                    : $"'clawsharp gateway logs{next}' and {state.SupervisorLogFile} say more");
        }
    }

    private static string? AlreadyRunning(DaemonSnapshot snapshot)
    {
        if (snapshot.GatewayPid is { } pid)
        {
            return $"gateway is already running with PID {pid}";
        }
        if (snapshot.Supervisor is { } supervisor)
        {
            var phase = snapshot.Daemon!.State.ToString().ToLowerInvariant();
            return $"gateway is already running with PID {supervisor.Pid} (its supervisor; the gateway is in {phase})";
        }
        return snapshot.UnknownSupervisorAlive ? "gateway is already running (a supervisor holds supervisor.lock)" : null;
    }

    private static Process SpawnSupervisor(StateDirectory state, ConfigOverrides overrides)
    {
        var info = SelfCommand.StartInfo(DaemonLaunchOptions.Arguments(["gateway", "supervise"], state, overrides));
        // The supervisor marks its own child; it is not itself supervised by anyone.
        info.Environment.Remove(SupervisorDetection.EnvironmentVariable);
        // Private pipes, never this command's own streams: the supervisor outlives this command,
        // and a caller reading our output ($(clawsharp gateway start)) must see its end.
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var supervisor = Process.Start(info) ?? throw new InvalidOperationException("no process was started");
        supervisor.StandardInput.Close();
        supervisor.OutputDataReceived += (_, _) => { };
        supervisor.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                lock (SupervisorErrors)
                {
                    SupervisorErrors.Add(line);
                }
            }
        };
        supervisor.BeginOutputReadLine();
        supervisor.BeginErrorReadLine();
        return supervisor;
    }

    /// <summary>What the supervisor printed before it detached (a runtime error, say), for a failure message.</summary>
    private static readonly List<string> SupervisorErrors = [];

    private sealed record ReadyGateway(int GatewayPid, int SupervisorPid, int Port);

    private sealed record StartOutcome(ReadyGateway? Ready, string? Problem, bool StillSupervised)
    {
        /// <summary>This start's supervisor started a gateway (so the gateway log has its lines).</summary>
        public bool GatewayRan { get; init; }
    }

    private static async Task<StartOutcome> WaitForReadyAsync(StateDirectory state, Process supervisor, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var read = DaemonStateFile.Read(state);
            var daemon = read is DaemonStateRead.Found found && found.State.SupervisorPid == supervisor.Id ? found.State : null;
            // Ready is the child answering /readyz, seen here directly: waiting for the supervisor to write "running" would add its poll interval.
            if (daemon is { State: DaemonPhase.Starting or DaemonPhase.Running, GatewayPid: { } pid }
                && await GatewayReadiness.ReadyPortAsync(state, pid, cancellationToken).ConfigureAwait(false) is { } port)
            {
                return new StartOutcome(new ReadyGateway(pid, supervisor.Id, port), null, false);
            }
            if (daemon is { State: DaemonPhase.Failed })
            {
                return new StartOutcome(null, $"the gateway did not start: {daemon.FailureReason} (last exit: {daemon.LastExit?.Description ?? "none"})", false)
                {
                    GatewayRan = daemon.GatewayStartedAt is not null,
                };
            }
            if (supervisor.HasExited)
            {
                // HasExited does not wait for the stderr reader: this does, briefly (a supervisor that
                // died before detaching still holds no other writer of the pipe, so its end comes at once).
                using (var drained = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
                {
                    try
                    {
                        await supervisor.WaitForExitAsync(drained.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (drained.IsCancellationRequested)
                    {
                    }
                }
                var again = DaemonSnapshot.Take(state);
                return AlreadyRunning(again) is { } other && again.Supervisor?.Pid != supervisor.Id
                    ? new StartOutcome(null, $"another start won the race: {other}", false)
                    : new StartOutcome(null, $"the supervisor exited with code {supervisor.ExitCode} before the gateway was ready{SupervisorSaid()}", false)
                    {
                        GatewayRan = daemon?.GatewayStartedAt is not null,
                    };
            }
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                var phase = daemon?.State.ToString().ToLowerInvariant() ?? "unknown";
                return new StartOutcome(null,
                    $"the gateway was not ready within {timeout.TotalSeconds:0.###} s (daemon state: {phase}, last exit: {daemon?.LastExit?.Description ?? "none"})", true)
                {
                    GatewayRan = daemon?.GatewayStartedAt is not null,
                };
            }
            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string SupervisorSaid()
    {
        lock (SupervisorErrors)
        {
            return SupervisorErrors.Count == 0 ? "" : ": " + string.Join(" | ", SupervisorErrors.TakeLast(5));
        }
    }

    private static int Failed(bool json, string message, IReadOnlyList<string> logLines, ExitCode code, string? hint = null) =>
        new LifecycleReport("start", false, null, message)
        {
            Details = logLines.Count == 0 ? [] : ["last log lines:", .. logLines.Select(l => "  " + l)],
            Hints = hint is null ? [] : [hint],
            Fields = new Dictionary<string, object?> { ["lastLogLines"] = logLines.Count == 0 ? null : logLines },
        }.Print(json, code);

    /// <summary>The state-directory flags to repeat in the commands we suggest.</summary>
    private static string NextCommands(ParseResult parse) =>
        parse.GetValue(GlobalOptions.Home) is { } home ? $" --home {home}"
        : parse.GetValue(GlobalOptions.Profile) is { } profile ? $" --profile {profile}"
        : "";
}

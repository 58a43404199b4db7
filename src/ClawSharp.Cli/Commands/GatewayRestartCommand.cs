using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using ClawSharp.Cli.Client;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Restart;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway restart [--safe | --force | --wait D]</c>. <c>--safe</c> asks the gateway
/// (<c>gateway.restart.request</c>) and returns its answer; the others write a restart intent,
/// signal the verified gateway PID and return once a new generation is ready.
/// </summary>
internal static class GatewayRestartCommand
{
    private static readonly Option<bool> Safe = new("--safe") { Description = "Restart once active work drains (the gateway decides; returns at once)" };
    private static readonly Option<bool> Force = new("--force") { Description = "Restart now, cutting active runs (they are queued again)" };
    private static readonly Option<TimeSpan?> Wait = CliOptions.Duration("--wait", "Cap the drain, then restart anyway; 0 waits indefinitely");
    private static readonly Option<bool> SkipDeferral = new("--skip-deferral") { Description = "With --safe: ask to skip the deferral (honoured only when nothing is active)" };
    private static readonly Option<bool> Follow = new("--follow") { Description = "With --safe: show the drain as it happens, then wait until the gateway is back" };
    private static readonly ClientCommand Client = new(TimeSpan.FromSeconds(60), "How long to wait for the gateway to be back (default 60s, plus the --wait cap)");

    public static Command Build()
    {
        var command = new Command("restart", "Restart the gateway: safely after active work drains (--safe), now (--force), or with a capped drain (--wait).")
        {
            Safe, Force, Wait, SkipDeferral, Follow,
        };
        Client.AddOptionsTo(command);
        command.Validators.Add(result =>
        {
            var safe = result.GetValue(Safe);
            if (safe && result.GetValue(Force))
            {
                result.AddError("--safe cannot be combined with --force; omit --safe to force restart now");
            }
            else if (safe && result.GetResult(Wait) is not null)
            {
                result.AddError("--safe cannot be combined with --wait; safe restart uses gateway deferral");
            }
            else if (!safe && result.GetValue(SkipDeferral))
            {
                result.AddError("--skip-deferral only goes with --safe");
            }
            else if (!safe && result.GetValue(Follow))
            {
                result.AddError("--follow only goes with --safe (the other forms always wait until the gateway is back)");
            }
            else if (result.GetValue(Force) && result.GetResult(Wait) is not null)
            {
                result.AddError("--force cannot be combined with --wait; --force does not drain");
            }
        });
        command.SetAction((parse, ct) => parse.GetValue(Safe)
            ? Client.RunAsync(parse, ct, (client, token) => SafeAsync(parse, client, token))
            : SignalAsync(parse, ct));
        return command;
    }

    /// <summary>
    /// The run or task this command runs inside, when an exec agent or a task of the gateway
    /// started it. Such a caller must not wait for the restart: the restart waits for its run.
    /// </summary>
    private static string? CallerWork() =>
        Environment.GetEnvironmentVariable("CLAWSHARP_RUN_ID") is { Length: > 0 } run ? $"run {run}"
        : Environment.GetEnvironmentVariable("CLAWSHARP_TASK_ID") is { Length: > 0 } task ? $"task {task}"
        : null;

    private static int RequestedFromInside(ParseResult parse, string work) =>
        Report(parse, "requested", $"restart requested from inside {work}; not waiting for it, since the restart waits for this {work.Split(' ')[0]} to end", null);

    private static async Task<int> SafeAsync(ParseResult parse, GatewayClient client, CancellationToken cancellationToken)
    {
        var bootBefore = (await client.CallAsync("status", (JsonElement?)null, cancellationToken).ConfigureAwait(false)).GetProperty("bootId").GetString();
        var result = await client.CallAsync("gateway.restart.request", w =>
        {
            w.WriteStartObject();
            w.WriteString("reason", "clawsharp gateway restart --safe");
            if (parse.GetValue(SkipDeferral))
            {
                w.WriteBoolean("skipDeferral", true);
            }
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
        var status = result.GetProperty("status").GetString()!;
        var message = status switch
        {
            "scheduled" => "safe restart requested; gateway will restart momentarily",
            "deferred" => "safe restart requested; gateway will restart after active work drains",
            _ => "safe restart request joined an existing pending gateway restart",
        };
        var preflight = result.GetProperty("preflight");
        var warnings = new List<string>();
        if (result.GetProperty("interruption").GetProperty("skipDeferralDowngraded").GetBoolean())
        {
            warnings.Add("--skip-deferral was not honoured: work is active; the restart waits for it to drain");
        }
        if (parse.GetValue(Client.Json))
        {
            CliOutput.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("ok", true);
                w.WriteString("action", "restart");
                w.WriteString("result", status);
                w.WriteString("message", message);
                w.WritePropertyName("preflight");
                preflight.WriteTo(w);
                w.WritePropertyName("restart");
                result.GetProperty("restart").WriteTo(w);
                w.WriteStartArray("warnings");
                warnings.ForEach(w.WriteStringValue);
                w.WriteEndArray();
                w.WriteEndObject();
            });
            return 0;
        }
        Console.Out.WriteLine(message);
        if (!preflight.GetProperty("safe").GetBoolean())
        {
            Console.Out.WriteLine(preflight.GetProperty("summary").GetString());
        }
        warnings.ForEach(w => Console.Error.WriteLine($"warning: {w}"));
        return parse.GetValue(Follow) && CallerWork() is null ? await FollowAsync(parse, client, bootBefore, cancellationToken).ConfigureAwait(false) : 0;
    }

    /// <summary>Prints the blockers as they count down while the old generation drains, then waits for the new one.</summary>
    private static async Task<int> FollowAsync(ParseResult parse, GatewayClient client, string? bootBefore, CancellationToken cancellationToken)
    {
        string? last = null;
        try
        {
            while (true)
            {
                var summary = (await client.CallAsync("gateway.restart.preflight", (JsonElement?)null, cancellationToken).ConfigureAwait(false))
                    .GetProperty("summary").GetString();
                if (summary != last)
                {
                    Console.Out.WriteLine($"draining: {summary}");
                    last = summary;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (GatewayCallException)
        {
            // The old generation closed the connection: the restart has begun.
        }
        var closed = Stopwatch.GetTimestamp();
        var state = GlobalOptions.ResolveState(parse);
        var pid = await WaitForNewGenerationAsync(state, bootBefore, cancellationToken).ConfigureAwait(false);
        Console.Out.WriteLine($"gateway back in {Stopwatch.GetElapsedTime(closed).TotalMilliseconds:F0} ms (pid {pid})");
        return 0;
    }

    /// <summary>Polls until a generation with another boot id answers <c>status</c> as running; returns its pid.</summary>
    private static async Task<int> WaitForNewGenerationAsync(StateDirectory state, string? bootBefore, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // Resolved each time: the lock is empty for a moment between two generations.
                var target = GatewayTarget.Resolve(state, null, null, null);
                await using var probe = await GatewayClient.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
                var status = await probe.CallAsync("status", (JsonElement?)null, cancellationToken).ConfigureAwait(false);
                if (status.GetProperty("bootId").GetString() != bootBefore && status.GetProperty("state").GetString() == "running")
                {
                    return status.GetProperty("pid").GetInt32();
                }
            }
            catch (GatewayCallException)
            {
                // Closed for the restart, draining, or not listening yet: ask again.
            }
            await Task.Delay(TimeSpan.FromMilliseconds(25), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>No gateway owns the lock: a supervisor waiting out a backoff starts it now (SIGUSR1); otherwise nothing runs.</summary>
    private static async Task<int> WakeSupervisorAsync(ParseResult parse, StateDirectory state, CancellationToken cancellationToken)
    {
        if (Daemon.DaemonSnapshot.Take(state).Supervisor is not { } supervisor)
        {
            return CliOutput.Fail(ExitCode.Failure, $"no gateway is running for {state.Root}; start one with 'clawsharp gateway start --home {state.Root}'");
        }
        var started = Stopwatch.GetTimestamp();
        Posix.Kill(supervisor.Pid, Posix.SIGUSR1);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(parse.GetValue(Client.Timeout) ?? TimeSpan.FromSeconds(60));
        int pid;
        try
        {
            pid = await WaitForNewGenerationAsync(state, null, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CliOutput.Fail(ExitCode.Failure, "the supervisor was asked to start the gateway now, but it is not ready yet; see 'clawsharp gateway status'");
        }
        return ReportRestarted(parse, pid, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static async Task<int> SignalAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        var owner = GatewayLock.ReadOwner(state.LockFile);
        if (owner is null || ProcessIdentity.Check(owner.Pid, owner.StartTime) != ProcessMatch.Same)
        {
            return await WakeSupervisorAsync(parse, state, cancellationToken).ConfigureAwait(false);
        }
        var force = parse.GetValue(Force);
        var wait = parse.GetValue(Wait);
        var started = Stopwatch.GetTimestamp();
        return await Client.RunAsync(parse, cancellationToken, async (client, token) =>
        {
            var before = (await client.CallAsync("status", (JsonElement?)null, token).ConfigureAwait(false)).GetProperty("bootId").GetString();
            RestartIntentStore.Write(state, new RestartIntent("gateway-restart", owner.Pid, Environment.ProcessId,
                DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), force ? "clawsharp gateway restart --force" : "clawsharp gateway restart",
                force ? true : null, wait is { } w ? (long)w.TotalMilliseconds : null));
            // Hang up first: the gateway closes every connection on restart, and waits for each to answer.
            await client.DisposeAsync().ConfigureAwait(false);
            Posix.Kill(owner.Pid, Posix.SIGUSR1);
            if (CallerWork() is { } work)
            {
                return RequestedFromInside(parse, work);
            }
            var pid = await WaitForNewGenerationAsync(state, before, token).ConfigureAwait(false);
            return ReportRestarted(parse, pid, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }).ConfigureAwait(false);
    }

    private static int ReportRestarted(ParseResult parse, int pid, double elapsed) =>
        Report(parse, "restarted", $"gateway restarted (pid {pid}); back in {elapsed:F0} ms", pid);

    private static int Report(ParseResult parse, string result, string message, int? pid)
    {
        if (parse.GetValue(Client.Json))
        {
            CliOutput.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("ok", true);
                w.WriteString("action", "restart");
                w.WriteString("result", result);
                w.WriteString("message", message);
                if (pid is { } newPid)
                {
                    w.WriteNumber("pid", newPid);
                }
                w.WriteEndObject();
            });
        }
        else
        {
            Console.Out.WriteLine(message);
        }
        return 0;
    }
}

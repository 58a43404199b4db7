using System.CommandLine;
using System.Text.Json;
using ClawSharp.Cli.Options;
using ClawSharp.Control;
using ClawSharp.Control.Client;
using ClawSharp.Control.Lifecycle;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Restart;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway restart [--safe | --force | --wait D]</c>. <c>--safe</c> asks the gateway
/// (<c>gateway.restart.request</c>) and returns its answer; the others write a restart intent,
/// signal the verified gateway PID and return once a new generation is ready (<see cref="GatewayControl"/>).
/// </summary>
internal static class GatewayRestartCommand
{
    private static readonly Option<bool> Safe = new("--safe") { Description = "Restart once active work drains (the gateway decides; returns at once)" };
    private static readonly Option<bool> Force = new("--force") { Description = "Restart now, cutting active runs (they are queued again)" };
    private static readonly Option<TimeSpan?> Wait = CliOptions.Duration("--wait", "Cap the drain, then restart anyway; 0 waits indefinitely");
    private static readonly Option<bool> SkipDeferral = new("--skip-deferral") { Description = "With --safe: ask to skip the deferral (honoured only when nothing is active)" };
    private static readonly Option<bool> Follow = new("--follow") { Description = "With --safe: show the drain as it happens, then wait until the gateway is back" };

    /// <summary>The connection options; the drain cap (<c>--wait</c>) counts on top of the timeout.</summary>
    internal static readonly ClientOptions Client = new(TimeSpan.FromSeconds(60), "How long to wait for the gateway to be back (default 60s, plus the --wait cap)", Wait);

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
            ? Client.GuardAsync(parse, ct, (target, token) => ConnectedSafeAsync(parse, target, token))
            : Client.GuardAsync(parse, ct, (target, token) => SignalAsync(parse, target, token), bodyOwnsBudget: true));
        return command;
    }

    private static async Task<int> SignalAsync(ParseResult parse, Func<GatewayTarget> target, CancellationToken cancellationToken)
    {
        var request = new RestartRequest(GlobalOptions.ResolveState(parse), target, parse.GetValue(Force), parse.GetValue(Wait), Client.Budget(parse),
            CallerWork.Find(Environment.GetEnvironmentVariable));
        return await GatewayControl.RestartAsync(request, cancellationToken).ConfigureAwait(false) switch
        {
            RestartResult.Restarted restarted => Report(parse, "restarted", $"gateway restarted (pid {restarted.Pid}); back in {restarted.Elapsed.TotalMilliseconds:F0} ms", restarted.Pid),
            RestartResult.RequestedFromInside inside => Report(parse, "requested", inside.Message, null),
            RestartResult.AlreadyRestarted already => Report(parse, "restarted",
                $"gateway already restarted after this request (pid {already.Pid}, generation started {already.GenerationStartedAt:O}); nothing more to do", already.Pid),
            RestartResult.Refused refused => Unsuccessful(parse, "refused", refused.Reason, $"restart refused: {refused.Reason}"),
            RestartResult.Failed failed => Unsuccessful(parse, "failed", failed.Message, failed.Message),
            RestartResult.TimedOut timedOut => ClientOptions.TimedOut(timedOut.Budget),
            var other => throw new InvalidOperationException($"unexpected restart result {other}"),
        };
    }

    /// <summary>
    /// <c>--safe</c>: a connection refused or dropped while a gateway is on its way back means
    /// another requester's restart is under way; it satisfies this request, so wait for it and
    /// report success instead of an error (a failure exit invites retry loops).
    /// </summary>
    private static async Task<int> ConnectedSafeAsync(ParseResult parse, Func<GatewayTarget> target, CancellationToken cancellationToken)
    {
        var state = GlobalOptions.ResolveState(parse);
        try
        {
            await using var client = await GatewayClient.ConnectAsync(target(), cancellationToken).ConfigureAwait(false);
            return await SafeAsync(parse, client, cancellationToken).ConfigureAwait(false);
        }
        catch (GatewayCallException e) when (e.MayBeRestarting && GatewayControl.IsComingBack(state))
        {
            var restartedPid = await GatewayControl.AwaitRestartedSinceRequestAsync(state, cancellationToken).ConfigureAwait(false);
            return Report(parse, "restarted", $"the gateway restarted while this request was on its way (pid {restartedPid}); nothing more to do", restartedPid);
        }
    }

    private static async Task<int> SafeAsync(ParseResult parse, GatewayClient client, CancellationToken cancellationToken)
    {
        var result = await GatewayControl.RequestSafeRestartAsync(client, parse.GetValue(SkipDeferral), cancellationToken).ConfigureAwait(false);
        if (parse.GetValue(Client.Json))
        {
            CliOutput.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("ok", true);
                w.WriteString("action", "restart");
                w.WriteString("result", result.Status);
                w.WriteString("message", result.Message);
                w.WritePropertyName("preflight");
                JsonSerializer.Serialize(w, result.Preflight, RestartJsonContext.Default.PreflightResult);
                w.WritePropertyName("restart");
                JsonSerializer.Serialize(w, result.Restart, RestartJsonContext.Default.RestartInfo);
                w.WriteStartArray("warnings");
                foreach (var warning in result.Warnings)
                {
                    w.WriteStringValue(warning);
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
            return 0;
        }
        Console.Out.WriteLine(result.Message);
        if (!result.Preflight.Safe)
        {
            Console.Out.WriteLine(result.Preflight.Summary);
        }
        foreach (var warning in result.Warnings)
        {
            Console.Error.WriteLine($"warning: {warning}");
        }
        if (!parse.GetValue(Follow))
        {
            return 0;
        }
        if (CallerWork.Find(Environment.GetEnvironmentVariable) is not null)
        {
            return 0;
        }
        var (pid, back) = await GatewayControl.FollowSafeRestartAsync(client, GlobalOptions.ResolveState(parse), result.BootBefore,
            summary => Console.Out.WriteLine($"draining: {summary}"), cancellationToken).ConfigureAwait(false);
        Console.Out.WriteLine($"gateway back in {back.TotalMilliseconds:F0} ms (pid {pid})");
        return 0;
    }

    /// <summary>A restart that did not happen: <paramref name="text"/> on stderr, or under --json one document saying why (exit 1 either way).</summary>
    private static int Unsuccessful(ParseResult parse, string result, string reason, string text)
    {
        if (!parse.GetValue(Client.Json))
        {
            return CliOutput.Fail(ExitCode.Failure, text);
        }
        CliOutput.WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", false);
            w.WriteString("action", "restart");
            w.WriteString("result", result);
            w.WriteString("error", reason);
            w.WriteEndObject();
        });
        return (int)ExitCode.Failure;
    }

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

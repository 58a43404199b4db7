using System.CommandLine;
using System.Text.Json;
using ClawSharp.Cli.Client;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Hosting;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway status</c>: the truth from the lock (is the recorded PID still that
/// gateway?) and from the gateway itself (does it answer <c>status</c>?). Exit codes (LSB):
/// 0 running, 3 not running, 1 alive but not answering.
/// </summary>
internal static class GatewayStatusCommand
{
    private static readonly ClientCommand Client = new(TimeSpan.FromSeconds(5), "How long to wait for the gateway to answer (default 5s)");

    public static Command Build()
    {
        var command = new Command("status", "Show whether the gateway runs, and what it says about itself (exit 0 running, 3 stopped, 1 unreachable).");
        Client.AddOptionsTo(command);
        command.SetAction((parse, ct) => RunAsync(parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        var json = parse.GetValue(Client.Json);
        var owner = GatewayLock.ReadOwner(state.LockFile);
        var match = owner is null ? ProcessMatch.Dead : ProcessIdentity.Check(owner.Pid, owner.StartTime);
        if (owner is null || match != ProcessMatch.Same)
        {
            var why = owner is null ? "no gateway holds the lock" : match == ProcessMatch.Reused
                ? $"the lock names pid {owner.Pid}, which now belongs to another program"
                : $"the lock names pid {owner.Pid}, which is no longer running";
            Report(json, "stopped", $"Stopped ({why})", state, owner, null);
            return (int)ExitCode.NotRunning;
        }
        JsonElement? status = null;
        var exit = await Client.RunAsync(parse, cancellationToken, async (client, token) =>
        {
            status = await client.CallAsync("status", (JsonElement?)null, token).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
        if (status is not { } answer)
        {
            Report(json, "unreachable", $"Unreachable: pid {owner.Pid} is alive but does not answer on port {owner.Port} (see 'clawsharp gateway logs')",
                state, owner, null);
            return exit == 0 ? (int)ExitCode.Failure : exit;
        }
        var uptime = TimeSpan.FromMilliseconds(answer.GetProperty("uptimeMs").GetInt64());
        Report(json, "running",
            $"Running: pid {owner.Pid}, port {owner.Port}, version {answer.GetProperty("version").GetString()}, up {uptime:d\\.hh\\:mm\\:ss}, " +
            $"{answer.GetProperty("restarts").GetInt32()} in-process restart(s), state {answer.GetProperty("state").GetString()}",
            state, owner, answer);
        return (int)ExitCode.Success;
    }

    private static void Report(bool json, string status, string line, StateDirectory state, LockOwner? owner, JsonElement? gateway)
    {
        if (!json)
        {
            Console.Out.WriteLine(line);
            if (gateway is { } g)
            {
                var work = g.GetProperty("work");
                Console.Out.WriteLine($"work: queue {work.GetProperty("queueSize")}, pending replies {work.GetProperty("pendingReplies")}, " +
                    $"runs {work.GetProperty("activeRuns")}, tasks {work.GetProperty("activeTasks")}");
            }
            Console.Out.WriteLine($"state dir: {state.Root}; log: {state.LogFile}");
            return;
        }
        CliOutput.WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", true);
            w.WriteString("action", "status");
            w.WriteString("status", status);
            w.WriteBoolean("running", status == "running");
            w.WriteString("message", line);
            w.WriteString("stateDir", state.Root);
            w.WriteString("logFile", state.LogFile);
            if (owner is not null)
            {
                w.WriteNumber("pid", owner.Pid);
                w.WriteNumber("port", owner.Port);
            }
            if (gateway is { } g)
            {
                w.WritePropertyName("gateway");
                g.WriteTo(w);
            }
            w.WriteEndObject();
        });
    }
}

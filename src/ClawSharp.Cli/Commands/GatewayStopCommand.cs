using System.CommandLine;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Hosting;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Restart;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway stop</c>: SIGTERM to the gateway the lock names, once verified (a dead
/// or reused PID is never signalled); SIGKILL after <c>--timeout</c>, said out loud.
/// </summary>
internal static class GatewayStopCommand
{
    private static readonly Option<TimeSpan?> Timeout = CliOptions.Duration("--timeout", "How long to wait for a graceful stop before SIGKILL (default 30s)");
    private static readonly Option<bool> Json = new("--json") { Description = "Print the result as JSON alone on stdout" };

    public static Command Build()
    {
        var command = new Command("stop", "Stop the gateway gracefully (SIGTERM), escalating to SIGKILL after --timeout.") { Timeout, Json };
        command.SetAction((parse, ct) => StopAsync(parse, ct));
        return command;
    }

    private static async Task<int> StopAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        var json = parse.GetValue(Json);
        var owner = GatewayLock.ReadOwner(state.LockFile);
        if (owner is null || ProcessIdentity.Check(owner.Pid, owner.StartTime) != ProcessMatch.Same)
        {
            return Report(json, "not-running", "gateway is not running", ExitCode.Success);
        }
        // A leftover restart intent would turn this SIGTERM into a restart.
        File.Delete(RestartIntentStore.PathOf(state));
        Posix.Kill(owner.Pid, Posix.SIGTERM);
        var timeout = parse.GetValue(Timeout) ?? TimeSpan.FromSeconds(30);
        if (await ExitedAsync(owner, timeout, cancellationToken).ConfigureAwait(false))
        {
            return Report(json, "stopped", $"gateway stopped (pid {owner.Pid})", ExitCode.Success);
        }
        Console.Error.WriteLine($"warning: pid {owner.Pid} did not stop within {timeout.TotalSeconds:F0} s; sending SIGKILL");
        if (ProcessIdentity.Check(owner.Pid, owner.StartTime) == ProcessMatch.Same)
        {
            Posix.Kill(owner.Pid, Posix.SIGKILL);
        }
        return await ExitedAsync(owner, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false)
            ? Report(json, "stopped", $"gateway killed (pid {owner.Pid}) after the {timeout.TotalSeconds:F0} s timeout", ExitCode.Success)
            : CliOutput.Fail(ExitCode.Failure, $"pid {owner.Pid} survived SIGKILL");
    }

    private static async Task<bool> ExitedAsync(LockOwner owner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ProcessIdentity.Check(owner.Pid, owner.StartTime) == ProcessMatch.Same)
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    private static int Report(bool json, string result, string message, ExitCode code)
    {
        if (json)
        {
            CliOutput.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("ok", true);
                w.WriteString("action", "stop");
                w.WriteString("result", result);
                w.WriteString("message", message);
                w.WriteEndObject();
            });
        }
        else
        {
            Console.Out.WriteLine(message);
        }
        return (int)code;
    }
}

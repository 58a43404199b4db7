using System.CommandLine;
using ClawSharp.Cli.Options;
using ClawSharp.Control;
using ClawSharp.Control.Lifecycle;
using ClawSharp.Gateway;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp gateway stop</c>: asks the owner to stop (the supervisor, else the gateway the lock
/// names), SIGKILL after <c>--timeout</c>, said out loud (<see cref="GatewayControl.StopAsync"/>).
/// </summary>
internal static class GatewayStopCommand
{
    private static readonly Option<TimeSpan?> Timeout = CliOptions.Duration("--timeout", "How long to wait for a graceful stop before SIGKILL (default: the supervisor's own kill wait + 5s, 45s with the default budgets)");
    private static readonly Option<bool> Json = new("--json") { Description = "Print the result as JSON alone on stdout" };

    public static Command Build()
    {
        var command = new Command("stop", "Stop the gateway (and its supervisor) gracefully, escalating to SIGKILL after --timeout.") { Timeout, Json };
        command.SetAction((parse, ct) => StopAsync(parse, ct));
        return command;
    }

    private static async Task<int> StopAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        var timeout = parse.GetValue(Timeout) ?? DefaultTimeout(state);
        var result = await GatewayControl.StopAsync(state, timeout, warning => Console.Error.WriteLine($"warning: {warning}"), cancellationToken)
            .ConfigureAwait(false);
        return result switch
        {
            StopResult.NotRunning notRunning => Report(parse, "not-running", "gateway is not running", notRunning.Warnings),
            StopResult.Stopped stopped => Report(parse, "stopped", stopped.Message, stopped.Warnings),
            // Under --json a refusal is one document too (it printed none).
            StopResult.Failed failed => new LifecycleReport("stop", false, "failed", failed.Message).Print(parse.GetValue(Json), ExitCode.Failure),
            _ => throw new InvalidOperationException($"unexpected stop result {result}"),
        };
    }

    /// <summary>From the config's budgets (a stop drain and a close may take that long); the defaults when the config does not load.</summary>
    private static TimeSpan DefaultTimeout(Gateway.Configuration.StateDirectory state)
    {
        try
        {
            return new Gateway.Configuration.ShutdownBudget(Gateway.Configuration.ConfigLoader.Load(state).Shutdown).OperatorStop;
        }
        catch (Gateway.Configuration.ConfigException)
        {
            return new Gateway.Configuration.ShutdownBudget(new Gateway.Configuration.ShutdownOptions()).OperatorStop;
        }
    }

    private static int Report(ParseResult parse, string result, string message, IReadOnlyList<string> warnings) =>
        new LifecycleReport("stop", true, result, message) { Warnings = warnings }.Print(parse.GetValue(Json), ExitCode.Success);
}

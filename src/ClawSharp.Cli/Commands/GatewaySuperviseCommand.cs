using System.CommandLine;
using ClawSharp.Cli.Options;
using ClawSharp.Control.Managers;
using ClawSharp.Daemon;
using ClawSharp.Gateway;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// Hidden <c>clawsharp gateway supervise</c>: the built-in supervisor that <c>gateway start</c>
/// launches (or a daemon's gateway whose supervisor died, <see cref="SupervisorAdoption"/>). It
/// detaches (own session, stdin/stdout /dev/null, stderr to logs/supervisor.log) and then runs <see cref="Supervisor"/>.
/// </summary>
internal static class GatewaySuperviseCommand
{
    private static readonly DaemonLaunchOptions Launch = new();

    public static Command Build()
    {
        var command = new Command("supervise", "Run the built-in supervisor (started by 'gateway start').") { Hidden = true };
        Launch.AddTo(command);
        command.SetAction((parse, _) => RunAsync(parse));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse)
    {
        if (!GlobalOptions.TryResolveState(parse, out var state))
        {
            return (int)ExitCode.Usage;
        }
        state.EnsureCreated();
        var (handedDown, restartReason) = SupervisorAdoption.Take();
        ProcessDetach.Detach(state);
        var overrides = Launch.Overrides(parse);
        var settings = new SupervisorSettings(state, LaunchArguments.For(["gateway", "run"], state, overrides), overrides, TimeProvider.System, handedDown)
        {
            FirstRestartReason = restartReason,
        };
        return await new Supervisor(settings).RunAsync().ConfigureAwait(false);
    }
}

using System.CommandLine;

namespace ClawSharp.Cli.Commands;

/// <summary><c>clawsharp gateway …</c>: the gateway's lifecycle and its control protocol.</summary>
internal static class GatewayCommand
{
    public static Command Build()
    {
        var gateway = new Command("gateway", "Run, operate and query the gateway.");
        gateway.Subcommands.Add(GatewayRunCommand.Build());
        gateway.Subcommands.Add(GatewayStartCommand.Build());
        gateway.Subcommands.Add(GatewaySuperviseCommand.Build());
        gateway.Subcommands.Add(GatewayCallCommand.Build());
        gateway.Subcommands.Add(GatewayRestartCommand.Build());
        gateway.Subcommands.Add(GatewayPreflightCommand.Build());
        gateway.Subcommands.Add(GatewayStatusCommand.Build());
        gateway.Subcommands.Add(GatewayStopCommand.Build());
        gateway.Subcommands.Add(GatewayLogsCommand.Build());
        gateway.Subcommands.Add(GatewayInstallCommand.Build());
        gateway.Subcommands.Add(GatewayUninstallCommand.Build());
        return gateway;
    }
}

using System.CommandLine;
using ClawSharp.Cli.Commands;
using ClawSharp.Gateway;

namespace ClawSharp.Cli;

/// <summary>Builds the command tree, parses, maps parse errors to exit code 2 and invokes.</summary>
internal static class CliApplication
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("ClawSharp: a self-hosted AI-agent gateway daemon.");
        root.Options.Add(GlobalOptions.Home);
        root.Options.Add(GlobalOptions.Profile);
        root.Subcommands.Add(GatewayCommand.Build());
        root.Subcommands.Add(SendCommand.Build());
        root.Subcommands.Add(TasksCommand.Build());
        root.Subcommands.Add(UpdateCommand.Build());
        root.Subcommands.Add(DoctorCommand.Build());
        root.Subcommands.Add(ConfigCommand.Build());
        root.Subcommands.Add(SelfTestCommand.Build());
        foreach (var version in root.Options.OfType<VersionOption>())
        {
            // The built-in action prints the bare informational version; ours adds the commit and the build date.
            version.Action = new PrintVersionAction();
        }
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        CliOutput.NoteJsonRequest(args);
        var parse = BuildRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine's own parse-error action exits 1; usage errors are 2 here (ARCHITECTURE.md §6).
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }
            Console.Error.WriteLine($"run '{CommandPath(parse)} --help' for usage");
            CliOutput.FailureAsJson(ExitCode.Usage, string.Join("; ", parse.Errors.Select(e => e.Message)));
            return (int)ExitCode.Usage;
        }
        CliOutput.NoteJsonRequest(parse);
        // The gateway owns SIGINT/SIGTERM itself (SignalListener); System.CommandLine must not race it.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }

    /// <summary><c>clawsharp --version</c>: <c>clawsharp 0.2.0 (commit 1a2b3c4, built 2026-11-26)</c>, exit 0.</summary>
    private sealed class PrintVersionAction : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(GatewayVersion.Describe());
            return 0;
        }
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command is RootCommand ? "clawsharp" : result.Command.Name);
        }
        return string.Join(' ', names);
    }
}

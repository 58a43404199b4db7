using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using ClawSharp.Control.SelfTest;
using ClawSharp.Gateway;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp selftest [--faults N] [--seed S] [--json] [--keep]</c>: the short chaos profile
/// against a scratch gateway of its own (a temporary state directory, a free loopback port, never
/// the operator's): "on this machine, 20 faults, 0 lost, 0 duplicates, recovery max N ms". Exit 0
/// when nothing was lost or duplicated and every fault recovered; 1 otherwise; 2 for a usage
/// error (<c>--home</c> and <c>--profile</c> are refused); 130 when interrupted (after cleaning up).
/// </summary>
internal static class SelfTestCommand
{
    private const int Interrupted = 130;

    private static readonly Option<int> Faults = new("--faults")
    {
        Description = "Fault cycles to apply (default 20; 200 is the long profile)",
        HelpName = "N",
        DefaultValueFactory = _ => 20,
    };

    private static readonly Option<int?> Seed = new("--seed")
    {
        Description = "Seed of the faults and the load; the same seed repeats a run (default: random, printed)",
        HelpName = "S",
    };

    private static readonly Option<bool> Json = new("--json") { Description = "Print the report as JSON alone on stdout" };

    private static readonly Option<bool> Keep = new("--keep") { Description = "Keep the scratch state directory (logs, state.db) for a look afterwards" };

    public static Command Build()
    {
        var command = new Command("selftest", "Prove this host can run a gateway: faults under load against a scratch gateway (never your state directory).")
        {
            Faults, Seed, Json, Keep,
        };
        command.SetAction((parse, _) => RunAsync(parse));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse)
    {
        var json = parse.GetValue(Json);
        if (parse.GetValue(GlobalOptions.Home) is not null || parse.GetValue(GlobalOptions.Profile) is not null)
        {
            return Refuse(json, "selftest runs against a scratch state directory of its own and never touches a real one; drop --home/--profile");
        }
        var faults = parse.GetValue(Faults);
        if (faults is < 1 or > 1000)
        {
            return Refuse(json, "--faults must be from 1 to 1000");
        }
        var options = new SelfTestOptions { Faults = faults, Seed = parse.GetValue(Seed) ?? Random.Shared.Next(1, int.MaxValue), Keep = parse.GetValue(Keep) };
        using var interrupt = new CancellationTokenSource();
        // Ctrl-C or a SIGTERM ends the run, not the process: the scratch gateway is stopped and removed first.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        SelfTestReport report;
        try
        {
            report = await SelfTestRunner.RunAsync(options, line => Console.Error.WriteLine(line), interrupt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            const string message = "interrupted; the scratch gateway was stopped and its state directory removed";
            if (json)
            {
                WriteError(message, options.Seed);
            }
            Console.Error.WriteLine($"selftest {message} (seed {options.Seed})");
            return Interrupted;
        }
        if (json)
        {
            CliOutput.WriteJson(w => JsonSerializer.Serialize(w, report, SelfTestJsonContext.Default.SelfTestReport));
        }
        else
        {
            Console.Out.WriteLine(report.Summary);
            Console.Out.WriteLine(report.Verdict);
            if (report.RedeliveredAfterCut > 0)
            {
                Console.Error.WriteLine($"note: {report.RedeliveredAfterCut} repl{(report.RedeliveredAfterCut == 1 ? "y" : "ies")} cut in flight by a kill -9 or a forced or capped restart "
                    + "delivered again under the same message id (at-least-once, by design: a receiver drops a message id it has seen)");
            }
            foreach (var problem in report.Problems)
            {
                Console.Error.WriteLine($"problem: {problem}");
            }
            if (!report.Ok)
            {
                Console.Error.WriteLine($"reproduce with: clawsharp selftest --faults {options.Faults} --seed {options.Seed} --keep");
            }
            if (options.Keep)
            {
                Console.Error.WriteLine($"scratch state directory kept: {report.ScratchDirectory}");
            }
        }
        return report.Ok ? (int)ExitCode.Success : (int)ExitCode.Failure;

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupt.Cancel();
        }
    }

    private static int Refuse(bool json, string message)
    {
        if (json)
        {
            WriteError(message, null);
        }
        return CliOutput.Fail(ExitCode.Usage, message);
    }

    private static void WriteError(string message, int? seed) => CliOutput.WriteJson(w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("ok", false);
        w.WriteString("error", message);
        if (seed is { } s)
        {
            w.WriteNumber("seed", s);
        }
        w.WriteEndObject();
    });
}

using System.CommandLine;
using System.Text.Json;
using ClawSharp.Control.Doctor;
using ClawSharp.Gateway;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp doctor [--fix] [--deep] [--json]</c>: what is wrong with this state directory, and the
/// command that fixes each finding. Exit 0 healthy (after <c>--fix</c>: nothing left), 1 otherwise,
/// 2 for usage. Never stops or restarts a gateway (<see cref="GatewayDoctor"/>).
/// </summary>
internal static class DoctorCommand
{
    public static Command Build()
    {
        var fix = new Option<bool>("--fix") { Description = "Repair what is safe to repair (file modes, stale lock/PID/intent files, a drifted service definition: rewritten, never restarted); say what is left" };
        var deep = new Option<bool>("--deep") { Description = "Also check the store's integrity (SQLite quick_check, read-only): reads the whole file, so it takes a while on a large store" };
        var json = new Option<bool>("--json") { Description = "One JSON document: every check {name, ok, finding, fix, fixed}" };
        var command = new Command("doctor", "Check the state directory, configuration, store, port and service; exit 0 healthy, 1 otherwise.") { fix, deep, json };
        command.SetAction(parse =>
        {
            if (!GlobalOptions.TryResolveState(parse, out var state))
            {
                return (int)ExitCode.Usage;
            }
            var report = GatewayDoctor.Run(state, parse.GetValue(fix), Environment.GetEnvironmentVariable, parse.GetValue(deep));
            if (parse.GetValue(json))
            {
                CliOutput.WriteJson(w => JsonSerializer.Serialize(w, report, DoctorJsonContext.Default.DoctorReport));
            }
            else
            {
                Print(report);
            }
            return (int)(report.Healthy ? ExitCode.Success : ExitCode.Failure);
        });
        return command;
    }

    private static void Print(DoctorReport report)
    {
        Console.Out.WriteLine($"clawsharp doctor: {report.StateDirectory}");
        foreach (var check in report.Checks)
        {
            var mark = check.Fixed switch
            {
                true => "fixed",
                false => "LEFT",
                null => check.Ok ? "ok" : "FAIL",
            };
            Console.Out.WriteLine($"  [{mark}] {check.Name}: {check.Finding}");
            if (!check.Ok && check.Fix is { } fix)
            {
                Console.Out.WriteLine($"         fix: {fix}");
            }
        }
        var problems = report.Checks.Count(c => !c.Ok);
        Console.Out.WriteLine(problems == 0 ? "healthy" : $"{problems} problem(s){(report.Fix ? " left" : "; 'clawsharp doctor --fix' repairs the safe ones")}");
    }
}

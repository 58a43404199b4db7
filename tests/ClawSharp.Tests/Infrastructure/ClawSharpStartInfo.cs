using System.Diagnostics;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>
/// The one way tests set up a clawsharp process (<see cref="CliRun"/> and <see cref="GatewayProcess"/>):
/// the binary of this build, all three streams redirected, and none of the <c>CLAWSHARP_*</c>
/// variables the test process may carry (a home, a supervisor marker, test faults, a run id …),
/// so that only <paramref name="environment"/> decides them; and no .NET diagnostics endpoints.
/// </summary>
internal static class ClawSharpStartInfo
{
    public static ProcessStartInfo Create(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        Create(TestPaths.ClawSharpBinary, args, environment);

    /// <summary>
    /// Runs <paramref name="launcher"/> with <paramref name="launcherArgs"/>, then the clawsharp binary
    /// and <paramref name="args"/>: a launcher that execs its last arguments (systemd-socket-activate),
    /// so the process started is, after that exec, the gateway itself.
    /// </summary>
    public static ProcessStartInfo CreateLaunched(string launcher, IEnumerable<string> launcherArgs, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null) =>
        Create(launcher, [.. launcherArgs, TestPaths.ClawSharpBinary, .. args], environment);

    /// <summary>Another clawsharp binary than this build's (a release build, or a launcher such as scripts/qemu-arm64.sh BINARY).</summary>
    public static ProcessStartInfo Create(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var inherited in info.Environment.Keys.Where(key => key.StartsWith("CLAWSHARP_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(inherited);
        }
        // A .NET process creates a debugger pipe pair and a diagnostics socket in /tmp and removes
        // them only when it exits on its own: every gateway a test kills with SIGKILL left three
        // (some 140 a suite run). Tests attach neither a debugger nor dotnet-trace to these processes.
        info.Environment["DOTNET_EnableDiagnostics_Debugger"] = "0";
        info.Environment["DOTNET_EnableDiagnostics_IPC"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        return info;
    }
}

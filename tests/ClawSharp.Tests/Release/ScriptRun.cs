using System.Diagnostics;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Release;

/// <summary>Runs a repository script (or any program) to completion, with a deadline.</summary>
internal static class ScriptRun
{
    public static async Task<CliResult> RunAsync(string fileName, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TestPaths.RepoRoot,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        return await CliRun.RunToEndAsync(info, $"{fileName} {string.Join(' ', args)}", timeout);
    }
}

using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>
/// Kills processes a test made a gateway start and then orphaned (a task still running when
/// the test kill -9'd its gateway), found by a unique fragment of their command line.
/// </summary>
public static class StrayProcesses
{
    public static void Kill(string commandLineFragment, int except = 0)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && pid != Environment.ProcessId && pid != except
                && ProcessIdentity.CommandLine(pid) is { } commandLine && commandLine.Contains(commandLineFragment, StringComparison.Ordinal))
            {
                Posix.Kill(pid, Posix.SIGKILL);
            }
        }
    }
}

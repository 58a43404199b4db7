using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>
/// Processes found by a unique fragment of their command line (a test's home directory):
/// to assert that none is left, and to kill those a test orphaned (a task still running when
/// the test kill -9'd its gateway).
/// </summary>
internal static class StrayProcesses
{
    /// <summary>Live processes (zombies excluded) whose command line contains the fragment, this test process excepted.</summary>
    public static List<int> Find(string commandLineFragment) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(directory => int.TryParse(Path.GetFileName(directory), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != Environment.ProcessId && ProcessIdentity.Of(pid) is not null
                && ProcessIdentity.CommandLine(pid)?.Contains(commandLineFragment, StringComparison.Ordinal) == true)];

    public static void Kill(string commandLineFragment, int except = 0)
    {
        foreach (var pid in Find(commandLineFragment).Where(pid => pid != except))
        {
            Posix.Kill(pid, Posix.SIGKILL);
        }
    }
}

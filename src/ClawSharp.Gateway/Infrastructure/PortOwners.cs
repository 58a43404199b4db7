using System.Globalization;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>Finds the processes listening on a TCP port (Linux: /proc/net/tcp{,6} and /proc/*/fd).</summary>
internal static class PortOwners
{
    private const string ListenState = "0A";

    /// <summary>PIDs with a listening socket on <paramref name="port"/>; empty where /proc is not available.</summary>
    public static IReadOnlyList<int> Find(int port)
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            CollectListeningInodes(table, port, inodes);
        }
        if (inodes.Count == 0)
        {
            return [];
        }
        var owners = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && HoldsAny(pid, inodes))
            {
                owners.Add(pid);
            }
        }
        return owners;
    }

    /// <summary>True when <paramref name="pid"/> runs the clawsharp binary (apphost or <c>clawsharp.dll</c>).</summary>
    public static bool IsClawSharp(int pid)
    {
        var commandLine = ProcessIdentity.CommandLine(pid);
        if (commandLine is null)
        {
            return false;
        }
        var arguments = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return arguments.Length > 0
            && (Path.GetFileName(arguments[0]) == "clawsharp"
                || arguments.Take(3).Any(a => Path.GetFileName(a) == "clawsharp.dll"));
    }

    private static void CollectListeningInodes(string table, int port, HashSet<string> inodes)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(table);
        }
        catch (IOException)
        {
            return;
        }
        var portHex = port.ToString("X4", CultureInfo.InvariantCulture);
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 9 && fields[3] == ListenState && fields[1].EndsWith(":" + portHex, StringComparison.Ordinal))
            {
                inodes.Add(fields[9]);
            }
        }
    }

    private static bool HoldsAny(int pid, HashSet<string> inodes)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return false;
    }
}

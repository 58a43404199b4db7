using System.Globalization;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>
/// The session a child command leads (started through <c>setsid</c>: its PID is its session
/// and group id), ended as a whole: the command, what it started, and what those started,
/// however they were reparented. Linux only (from /proc); elsewhere nothing is found.
/// A session id is a PID that the kernel keeps reserved while any member lives, so members
/// of session <c>P</c> are the child's own unless <c>P</c> now names another process (the
/// session had emptied and the PID was reused): then nothing is killed.
/// </summary>
internal static class ChildSessions
{
    /// <summary>The live members of the session <paramref name="leader"/> led, started no earlier than it; empty when its PID was reused.</summary>
    public static IReadOnlyList<int> Members(ProcessIdentity leader)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc")
            || ProcessIdentity.Check(leader.Pid, leader.StartTime) == ProcessMatch.Reused)
        {
            return [];
        }
        var members = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ProcStat.Fields(pid) is { } fields
                && fields[ProcStat.Session] == leader.Pid.ToString(CultureInfo.InvariantCulture)
                && long.TryParse(fields[ProcStat.StartTime], NumberStyles.None, CultureInfo.InvariantCulture, out var started)
                && started >= leader.StartTime)
            {
                members.Add(pid);
            }
        }
        return members;
    }

    /// <summary>
    /// SIGKILLs every member of the session until none is left (a member may fork while it is
    /// being killed); true when it is empty, false when members outlived the attempts.
    /// </summary>
    public static bool Kill(ProcessIdentity leader)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var members = Members(leader);
            if (members.Count == 0)
            {
                return true;
            }
            foreach (var pid in members)
            {
                try
                {
                    Posix.Kill(pid, Posix.SIGKILL);
                }
                catch (IOException)
                {
                    // EPERM: a member that changed its user; nothing more we can do.
                }
            }
            Thread.Sleep(10);
        }
        return Members(leader).Count == 0;
    }
}

using System.Globalization;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>A process's group and session, read from <c>/proc/PID/stat</c> (Linux).</summary>
/// <param name="GroupId">Its process group id.</param>
/// <param name="SessionId">Its session id.</param>
internal sealed record ProcessGroupMembership(int GroupId, int SessionId);

/// <summary>
/// Process groups, checked before any kill(-pgid): a group id is a PID, and PIDs get reused,
/// so a group is killed only while it has live members in the session we expect (the
/// supervisor's). Linux only (from /proc); elsewhere nothing is known, so nothing is killed.
/// </summary>
internal static class ProcessGroups
{
    /// <summary>The group and session of the live process <paramref name="pid"/>, or null.</summary>
    public static ProcessGroupMembership? Of(int pid) =>
        ProcStat.Fields(pid) is { } fields
        && int.TryParse(fields[ProcStat.ProcessGroup], NumberStyles.None, CultureInfo.InvariantCulture, out var group)
        && int.TryParse(fields[ProcStat.Session], NumberStyles.None, CultureInfo.InvariantCulture, out var session)
            ? new ProcessGroupMembership(group, session)
            : null;

    /// <summary>True when a live process is in group <paramref name="groupId"/> and session <paramref name="sessionId"/>.</summary>
    public static bool HasMembers(int groupId, int sessionId)
    {
        if (!Directory.Exists("/proc"))
        {
            return false;
        }
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Of(pid) is { } membership
                && membership.GroupId == groupId && membership.SessionId == sessionId)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>SIGKILL to group <paramref name="groupId"/>, only while it has live members in session <paramref name="sessionId"/>.</summary>
    public static bool KillIfInSession(int groupId, int sessionId) =>
        groupId > 1 && HasMembers(groupId, sessionId) && Posix.KillGroup(groupId);
}

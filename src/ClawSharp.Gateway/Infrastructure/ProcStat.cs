namespace ClawSharp.Gateway.Infrastructure;

/// <summary><c>/proc/PID/stat</c> (Linux), read by the process identity and the process-group checks.</summary>
internal static class ProcStat
{
    /// <summary>Index in <see cref="Fields"/> of field 3 of proc(5), the state.</summary>
    public const int State = 0;

    /// <summary>Index of field 4, the parent's PID.</summary>
    public const int ParentPid = 1;

    /// <summary>Index of field 5, the process group.</summary>
    public const int ProcessGroup = 2;

    /// <summary>Index of field 6, the session.</summary>
    public const int Session = 3;

    /// <summary>Index of field 22, the start time in clock ticks since boot.</summary>
    public const int StartTime = 19;

    /// <summary>The parent of <paramref name="pid"/>; null when it is gone or this is not Linux (no /proc).</summary>
    public static int? ParentPidOf(int pid) =>
        int.TryParse(Fields(pid)?[ParentPid], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parent) ? parent : null;

    /// <summary>
    /// The fields after the command name (field 3 of proc(5) at index 0), or null when the
    /// process does not exist, cannot be read, or is a zombie (it runs nothing any more).
    /// </summary>
    public static string[]? Fields(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 > stat.Length)
        {
            return null;
        }
        var fields = stat[(close + 2)..].Split(' ');
        return fields.Length > StartTime && fields[State] != "Z" ? fields : null;
    }
}

namespace ClawSharp.Control.Status;

/// <summary>The program a process runs.</summary>
internal static class ProcessExecutable
{
    /// <summary>Linux: <c>/proc/PID/exe</c> (a replaced binary reads as its new name, or with " (deleted)"); null where it cannot be read.</summary>
    public static string? Of(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/exe").ResolveLinkTarget(returnFinalTarget: false)?.FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

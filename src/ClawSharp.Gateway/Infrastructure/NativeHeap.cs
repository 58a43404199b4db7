using System.Runtime.InteropServices;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>
/// glibc's <c>malloc_trim(0)</c>: hands the free pages of every malloc arena back to the kernel. Native
/// allocations (SQLite's page cache and statements, the socket layer) are freed into the arenas and,
/// without it, stay resident after a burst. A no-op where there is no glibc (macOS, Windows, musl).
/// </summary>
internal static partial class NativeHeap
{
    private static bool unavailable = !OperatingSystem.IsLinux();

    /// <summary>True when glibc released something.</summary>
    public static bool Trim()
    {
        if (unavailable)
        {
            return false;
        }
        try
        {
            return malloc_trim(0) != 0;
        }
        catch (EntryPointNotFoundException)
        {
            unavailable = true;
            return false;
        }
    }

    [LibraryImport("libc")]
    private static partial int malloc_trim(nuint pad);
}

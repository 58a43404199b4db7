using System.Runtime.InteropServices;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>Who this process runs as: launchd names a user's domain by uid (<c>gui/501</c>).</summary>
internal static partial class Posix
{
    /// <summary>The effective user id (never fails, per POSIX).</summary>
    public static int EffectiveUserId() => (int)geteuid();

    [LibraryImport("libc")]
    private static partial uint geteuid();
}

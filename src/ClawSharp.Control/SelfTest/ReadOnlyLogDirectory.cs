using System.Diagnostics;

namespace ClawSharp.Control.SelfTest;

/// <summary>
/// The log-directory fault: <c>logs/</c> bind-mounted read-only over itself. A mode change is no
/// fault for root (root ignores modes), and this is what a full or read-only disk looks like to
/// the gateway: every write fails with an error. Needs <c>mount</c> and the right to use it
/// (root, CAP_SYS_ADMIN); where it is not available the fault is skipped and says why.
/// </summary>
internal static class ReadOnlyLogDirectory
{
    /// <summary>Mounts <paramref name="directory"/> read-only over itself; null when done, else why not.</summary>
    public static string? Mount(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "read-only bind mounts need Linux";
        }
        if (Run("mount", "--bind", directory, directory) is { } bindFailed)
        {
            return $"mount --bind failed: {bindFailed}";
        }
        if (Run("mount", "-o", "remount,ro,bind", directory, directory) is { } remountFailed)
        {
            Unmount(directory);
            return $"mount -o remount,ro,bind failed: {remountFailed}";
        }
        return null;
    }

    /// <summary>Removes the read-only mount; null when done, else why not.</summary>
    public static string? Unmount(string directory) => Run("umount", directory);

    private static string? Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        try
        {
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                return $"{program} did not finish within 10 s";
            }
            return process.ExitCode == 0 ? null : error.Result.Trim() is { Length: > 0 } said ? said : $"exit {process.ExitCode}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{program}: {e.Message}";
        }
    }
}

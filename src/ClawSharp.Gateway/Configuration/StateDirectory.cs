namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// The state directory and the files in it (ARCHITECTURE.md §2). Resolution order:
/// <c>--home DIR</c>, then <c>--profile NAME</c> (<c>~/.clawsharp-NAME</c>), then
/// <c>CLAWSHARP_HOME</c>, then <c>~/.clawsharp</c>.
/// </summary>
internal sealed class StateDirectory
{
    /// <summary>Owner-only directory: 0700.</summary>
    public const UnixFileMode PrivateDirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public StateDirectory(string root) => Root = Path.GetFullPath(root);

    public string Root { get; }
    public string ConfigFile => Path.Combine(Root, "config.json");
    public string LockFile => Path.Combine(Root, "gateway.lock");
    public string TokenFile => Path.Combine(Root, "token");
    public string LogsDirectory => Path.Combine(Root, "logs");
    public string LogFile => Path.Combine(LogsDirectory, "gateway.log");
    public string BundlesDirectory => Path.Combine(Root, "bundles");
    public string StoreFile => Path.Combine(Root, "state.db");
    public string SecretsFile => Path.Combine(Root, "secrets.json");

    /// <summary>Names the gateway process while it restarts (<see cref="Respawn.RestartInProgress"/>).</summary>
    public string RestartingFile => Path.Combine(Root, "restarting.json");

    /// <summary>The built-in supervisor's view of the daemon (ARCHITECTURE.md §2).</summary>
    public string DaemonStateFile => Path.Combine(Root, "daemon.json");

    /// <summary>Held by the one live built-in supervisor; every write of <see cref="DaemonStateFile"/> happens under it.</summary>
    public string SupervisorLockFile => Path.Combine(Root, "supervisor.lock");

    /// <summary>
    /// <c>crash-history.json</c>: the gateway's recent crash times, kept by the built-in supervisor
    /// across its own deaths so the crash-storm limit holds (<c>ClawSharp.Daemon.CrashHistoryStore</c>).
    /// </summary>
    public string CrashHistoryFile => Path.Combine(Root, "crash-history.json");

    /// <summary><c>start-failed.json</c>: the last <c>gateway start</c> refused before any process started (a bad config), for <c>status</c>.</summary>
    public string StartFailedFile => Path.Combine(Root, "start-failed.json");

    /// <summary><c>logs/previous-run.json</c>: the last log lines of the gateway run before the current one (<c>gateway logs --previous</c>).</summary>
    public string PreviousRunFile => Path.Combine(LogsDirectory, "previous-run.json");

    /// <summary>The supervisor's own log (one process writes and rotates a file; the gateway keeps <see cref="LogFile"/>).</summary>
    public string SupervisorLogFile => Path.Combine(LogsDirectory, "supervisor.log");

    /// <summary>
    /// <c>update-failed.json</c>: the last update restart whose new process never became ready
    /// (written 0600 by the gateway that fell back in process; deleted by the next successful
    /// update restart). Shape: <see cref="Respawn.UpdateFailure"/>.
    /// </summary>
    public string UpdateFailedFile => Path.Combine(Root, "update-failed.json");

    /// <summary>The last restart the gateway refused because its next start would fail: who, when, why (<c>Restart.RestartRefusalStore</c>).</summary>
    public string RestartRefusedFile => Path.Combine(Root, "restart-refused.json");

    /// <summary>Resolves the directory from the CLI flags and the environment.</summary>
    /// <exception cref="ArgumentException">Both a home and a profile were given, or the profile name is unsafe.</exception>
    public static StateDirectory Resolve(string? home, string? profile, Func<string, string?> getEnvironment)
    {
        if (home is not null && profile is not null)
        {
            throw new ArgumentException("--home and --profile cannot be combined; pass one of them");
        }
        if (!string.IsNullOrWhiteSpace(home))
        {
            return new StateDirectory(ExpandHome(home));
        }
        var userHome = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (profile is not null)
        {
            if (profile.Length == 0 || profile.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            {
                throw new ArgumentException($"invalid profile name '{profile}': use letters, digits, '-' and '_'");
            }
            return new StateDirectory(Path.Combine(userHome, $".clawsharp-{profile}"));
        }
        var fromEnvironment = getEnvironment("CLAWSHARP_HOME");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new StateDirectory(ExpandHome(fromEnvironment));
        }
        return new StateDirectory(Path.Combine(userHome, ".clawsharp"));
    }

    /// <summary>Creates the directory (0700) if needed and tightens a looser existing mode.</summary>
    public void EnsureCreated()
    {
        EnsurePrivateDirectory(Root);
    }

    /// <summary>
    /// A directory where the gateway keeps one of its files (the lock, the token, the store): its
    /// message (what to do), else null. Each start failed on it with the system's text ("Is a
    /// directory", "Access … denied") and exit 1, which a supervisor retried into a crash storm.
    /// </summary>
    public string? DirectoryInPlaceOfAFile() =>
        new[] { LockFile, TokenFile, StoreFile }.FirstOrDefault(Directory.Exists) is { } path
            ? $"{path} is a directory where the gateway keeps a file: move it away (it is not the gateway's)"
            : null;

    /// <summary>Creates <paramref name="path"/> with mode 0700, or tightens it to 0700.</summary>
    public static void EnsurePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        Directory.CreateDirectory(path, PrivateDirectoryMode);
        if (File.GetUnixFileMode(path) != PrivateDirectoryMode)
        {
            File.SetUnixFileMode(path, PrivateDirectoryMode);
        }
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/'))
            : path;
}

using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Doctor;

/// <summary>The state directory is 0700 and its secrets and stores 0600 (token, config, state.db and its WAL files, service.env, secrets.json).</summary>
internal sealed class StateModesCheck : IDoctorCheck
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther = (UnixFileMode)0b000_111_111;

    public string Name => "state-modes";

    public DoctorFinding Run(DoctorContext context, bool fix)
    {
        var state = context.State;
        if (OperatingSystem.IsWindows() || !Directory.Exists(state.Root))
        {
            return DoctorFinding.Healthy(Name, OperatingSystem.IsWindows() ? "file modes are not checked on Windows" : $"{state.Root} does not exist yet");
        }
        var wrong = new List<(string Path, UnixFileMode Mode, UnixFileMode Want)>();
        var dirMode = File.GetUnixFileMode(state.Root);
        if ((dirMode & GroupOrOther) != 0)
        {
            wrong.Add((state.Root, dirMode, StateDirectory.PrivateDirectoryMode));
        }
        foreach (var path in PrivateFiles(state).Where(File.Exists))
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                wrong.Add((path, mode, PrivateFile));
            }
        }
        if (wrong.Count == 0)
        {
            return DoctorFinding.Healthy(Name, $"{state.Root} is 0700 and its private files 0600");
        }
        var finding = string.Join("; ", wrong.Select(w => $"{w.Path} is {Octal(w.Mode)} (want {Octal(w.Want)})"));
        var command = string.Join(" && ", wrong.Select(w => $"chmod {Octal(w.Want)} '{w.Path}'"));
        if (!fix)
        {
            return new DoctorFinding(Name, false, finding, command);
        }
        try
        {
            foreach (var (path, _, want) in wrong)
            {
                File.SetUnixFileMode(path, want);
            }
            return new DoctorFinding(Name, true, $"{finding}: fixed", command, Fixed: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DoctorFinding(Name, false, $"{finding}: could not fix it ({e.Message})", command, Fixed: false);
        }
    }

    private static IEnumerable<string> PrivateFiles(StateDirectory state) =>
    [
        state.TokenFile, state.ConfigFile, state.StoreFile, state.StoreFile + "-wal", state.StoreFile + "-shm",
        Path.Combine(state.Root, "service.env"), state.SecretsFile,
    ];

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}

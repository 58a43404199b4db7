namespace ClawSharp.Control.Doctor;

/// <summary>The log directory can be written, and the disk under the state directory is not nearly full (statvfs, through <see cref="DriveInfo"/>).</summary>
internal sealed class LogDirectoryCheck : IDoctorCheck
{
    /// <summary>Nearly full: less than 5 % or less than 100 MiB free.</summary>
    private const double MinFreeFraction = 0.05;
    private const long MinFreeBytes = 100L * 1024 * 1024;

    public string Name => "logs-and-disk";

    public DoctorFinding Run(DoctorContext context, bool fix)
    {
        var logs = context.State.LogsDirectory;
        var problems = new List<string>();
        if (Directory.Exists(logs))
        {
            var probe = Path.Combine(logs, $".doctor-{Environment.ProcessId}");
            try
            {
                File.WriteAllBytes(probe, []);
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{logs} is not writable ({e.Message})");
            }
        }
        var existing = Directory.Exists(context.State.Root) ? context.State.Root : Path.GetDirectoryName(context.State.Root) ?? "/";
        var drive = new DriveInfo(existing);
        if (drive.TotalSize > 0 && (drive.AvailableFreeSpace < MinFreeBytes || (double)drive.AvailableFreeSpace / drive.TotalSize < MinFreeFraction))
        {
            problems.Add($"the disk of {existing} ({drive.Name}) is nearly full: {drive.AvailableFreeSpace / (1024 * 1024)} MiB of {drive.TotalSize / (1024 * 1024)} MiB free");
        }
        return problems.Count == 0
            ? DoctorFinding.Healthy(Name, $"{logs} is writable; {drive.AvailableFreeSpace / (1024 * 1024)} MiB free on {drive.Name}")
            : new DoctorFinding(Name, false, string.Join("; ", problems),
                $"make {logs} writable by this user (chown/chmod) and free disk space on {drive.Name}", fix ? false : null);
    }
}

using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Doctor;

/// <summary>The doctor's report: every check's finding, in order.</summary>
internal sealed record DoctorReport(string StateDirectory, bool Fix, IReadOnlyList<DoctorFinding> Checks)
{
    public bool Healthy => Checks.All(c => c.Ok);
}

/// <summary>
/// <c>clawsharp doctor</c>: runs each check and, with <c>fix</c>, lets it repair what is safe.
/// Invariant (field report: a doctor that stopped a systemd gateway and left it down): no check
/// stops, signals or restarts a gateway; a live process's files are never touched; the store is
/// only opened read-only through SQLite. A repair that would need a restart is named, not done (a drifted
/// service definition is rewritten and reloaded, and takes effect at the service's next start).
/// </summary>
internal static class GatewayDoctor
{
    public static IReadOnlyList<IDoctorCheck> Checks { get; } =
    [
        new ConfigCheck(), new StateModesCheck(), new StaleFilesCheck(), new PortCheck(), new ServiceDriftCheck(),
        new LogDirectoryCheck(), new StoreCheck(), new RestartsEnabledCheck(),
    ];

    /// <summary>Runs every check; <paramref name="deep"/> adds the store's integrity check, which reads the whole file.</summary>
    public static DoctorReport Run(StateDirectory state, bool fix, Func<string, string?> getEnvironment, bool deep = false)
    {
        var context = new DoctorContext(state, getEnvironment) { Deep = deep };
        var findings = new List<DoctorFinding>();
        foreach (var check in Checks)
        {
            try
            {
                findings.Add(check.Run(context, fix));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                findings.Add(new DoctorFinding(check.Name, false, $"the check could not run: {e.Message}"));
            }
        }
        return new DoctorReport(state.Root, fix, findings);
    }
}

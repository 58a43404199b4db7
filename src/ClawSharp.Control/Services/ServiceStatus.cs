namespace ClawSharp.Control.Services;

/// <summary>The installed service in <c>gateway status</c>: what install recorded, what the manager says, and what has drifted.</summary>
/// <param name="Record">service.json.</param>
/// <param name="View">The manager's view.</param>
/// <param name="Drift">Disagreements worth acting on (the unit's binary, the running binary, the CLI's).</param>
internal sealed record ServiceStatus(ServiceRecord Record, ServiceView View, IReadOnlyList<string> Drift)
{
    /// <summary>
    /// Drift, pure. <paramref name="runningProgram"/> is the running gateway's executable; <paramref name="cliProgram"/>
    /// this CLI's. A gateway and CLI of different versions is not service drift: <see cref="Status.BinaryIdentity.Drift"/>
    /// says it, service or not.
    /// </summary>
    public static IReadOnlyList<string> FindDrift(ServiceView view, string? runningProgram, string cliProgram)
    {
        var drift = new List<string>();
        if (view.Program is { } unitProgram)
        {
            if (runningProgram is not null && !SameFile(unitProgram, runningProgram))
            {
                drift.Add($"the service runs {unitProgram} but the running gateway is {runningProgram}: restart it through the service ('clawsharp gateway stop', then 'start')");
            }
            if (!SameFile(unitProgram, cliProgram))
            {
                drift.Add($"the service runs {unitProgram}, not this CLI ({cliProgram}); 'clawsharp gateway install --force' points it here");
            }
        }
        return drift;
    }

    /// <summary>Whether two paths name the same file once symbolic links are followed.</summary>
    public static bool SameFile(string a, string b) => string.Equals(RealPath(a), RealPath(b), StringComparison.Ordinal);

    /// <summary>The file <paramref name="path"/> names once symbolic links are followed (its full path when it is none, or when that cannot be read).</summary>
    public static string RealPath(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (IOException)
        {
            return path;
        }
    }
}

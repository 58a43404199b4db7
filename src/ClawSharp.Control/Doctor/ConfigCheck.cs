namespace ClawSharp.Control.Doctor;

/// <summary>config.json loads and validates (<c>ConfigLoader</c>, the same rules as <c>gateway run</c>).</summary>
internal sealed class ConfigCheck : IDoctorCheck
{
    public string Name => "config";

    public DoctorFinding Run(DoctorContext context, bool fix) => context.ConfigProblem is { } problem
        ? new DoctorFinding(Name, false, problem, $"edit {context.State.ConfigFile} (a gateway cannot start or restart until it loads)", fix ? false : null)
        : DoctorFinding.Healthy(Name, File.Exists(context.State.ConfigFile) ? $"{context.State.ConfigFile} is valid" : "no config.json: the defaults apply");
}

namespace ClawSharp.Control.Services.Launchd;

/// <summary>What launchd says about the gateway's job (<c>launchctl print</c>).</summary>
/// <param name="Loaded">launchd knows the job (it is bootstrapped).</param>
/// <param name="State"><c>running</c>, <c>not running</c>, <c>spawn scheduled</c>, …; empty when not loaded.</param>
/// <param name="Pid">The running instance, when there is one.</param>
/// <param name="LastExitCode">How the last instance exited; null when none has (<c>(never exited)</c>).</param>
/// <param name="Runs">How many times launchd has started it since it was loaded.</param>
internal sealed record LaunchdJobStatus(bool Loaded, string State, int? Pid, int? LastExitCode, int? Runs)
{
    public static readonly LaunchdJobStatus NotLoaded = new(false, "", null, null, null);

    public bool Running => Loaded && State == "running" && Pid is not null;
}

namespace ClawSharp.Control.Doctor;

/// <summary><c>commands.restart</c> is not false: with it off, safe restarts, SIGUSR1 and update restarts are refused.</summary>
internal sealed class RestartsEnabledCheck : IDoctorCheck
{
    public string Name => "restarts";

    public DoctorFinding Run(DoctorContext context, bool fix) => context.Config is { Restart.Enabled: false }
        ? new DoctorFinding(Name, false, "restarts are disabled (commands.restart is false): 'gateway restart', SIGUSR1 and 'update' cannot restart the gateway",
            $"set \"commands\": {{ \"restart\": true }} in {context.State.ConfigFile} if that was not meant (doctor leaves an operator's choice alone)", fix ? false : null)
        : DoctorFinding.Healthy(Name, "restarts are enabled");
}

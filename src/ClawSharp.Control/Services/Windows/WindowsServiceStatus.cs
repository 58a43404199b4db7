namespace ClawSharp.Control.Services.Windows;

/// <summary>What the service control manager says about the gateway's service (<c>sc.exe queryex</c>).</summary>
/// <param name="Exists">The SCM knows the service.</param>
/// <param name="State"><c>RUNNING</c>, <c>STOPPED</c>, <c>START_PENDING</c>, <c>STOP_PENDING</c>, …; empty when it does not exist.</param>
/// <param name="Pid">The service's process, when it runs (the SCM reports 0 otherwise).</param>
/// <param name="Win32ExitCode">How it last ended, as the SCM saw it (1066 = the service's own exit code is in <paramref name="ServiceExitCode"/>).</param>
/// <param name="ServiceExitCode">The service-specific exit code.</param>
internal sealed record WindowsServiceStatus(bool Exists, string State, int? Pid, int? Win32ExitCode, int? ServiceExitCode)
{
    public static readonly WindowsServiceStatus Missing = new(false, "", null, null, null);

    public bool Running => State == "RUNNING";
}

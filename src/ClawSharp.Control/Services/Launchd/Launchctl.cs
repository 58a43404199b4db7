using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Control.Services.Launchd;

/// <summary>
/// The <c>launchctl</c> subcommands install, uninstall and control use, with launchd's quirks
/// in one place: which failures of <c>bootout</c> mean "not loaded", and what a failed
/// <c>bootstrap</c> should tell the operator.
/// </summary>
/// <param name="program">The <c>launchctl</c> to run: found on PATH, or a test's stand-in.</param>
internal sealed class Launchctl(string program = "launchctl")
{
    /// <summary><c>launchctl bootout</c>'s "No such process" (ESRCH): the job is not loaded.</summary>
    private const int NoSuchProcess = 3;

    /// <summary><c>launchctl</c>'s "Could not find specified service": the job is not loaded.</summary>
    private const int ServiceNotFound = 113;

    /// <summary>Loads the plist into <paramref name="domain"/>.</summary>
    /// <exception cref="ServiceCommandException">launchd refused it; the message says what to try.</exception>
    public async Task BootstrapAsync(string domain, string label, string plist, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["bootstrap", domain, plist], cancellationToken).ConfigureAwait(false);
        // Never fall back to running the gateway unsupervised: an operator who asked for a launchd job must learn it is not one.
        result.EnsureSucceeded(
            $"launchd did not load {plist}. If the job is loaded already, 'launchctl bootout {LaunchdTarget.Service(domain, label)}' first; " +
            $"'Bootstrap failed: 5: Input/output error' on a rewritten plist is often a provenance or quarantine attribute: 'xattr -c {plist}'; then install again");
    }

    public async Task EnableAsync(string service, CancellationToken cancellationToken) =>
        (await RunAsync(["enable", service], cancellationToken).ConfigureAwait(false)).EnsureSucceeded();

    /// <summary>Starts the job now; <paramref name="kill"/> (<c>-k</c>) kills a running instance first.</summary>
    public async Task KickstartAsync(string service, bool kill, CancellationToken cancellationToken) =>
        (await RunAsync(kill ? ["kickstart", "-k", service] : ["kickstart", service], cancellationToken).ConfigureAwait(false)).EnsureSucceeded();

    /// <summary>Stops and unloads the job; false when it was not loaded.</summary>
    public async Task<bool> BootoutAsync(string service, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["bootout", service], cancellationToken).ConfigureAwait(false);
        if (IsNotLoaded(result))
        {
            return false;
        }
        result.EnsureSucceeded();
        return true;
    }

    /// <summary><c>launchctl print</c>'s description of the job, parsed; <see cref="LaunchdJobStatus.NotLoaded"/> when launchd does not know it.</summary>
    public async Task<LaunchdJobStatus> PrintAsync(string service, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["print", service], cancellationToken).ConfigureAwait(false);
        if (IsNotLoaded(result))
        {
            return LaunchdJobStatus.NotLoaded;
        }
        return LaunchdPrintParser.Parse(result.EnsureSucceeded().StandardOutput);
    }

    private Task<SystemCommandResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        SystemCommand.RunAsync(program, arguments, cancellationToken);

    private static bool IsNotLoaded(SystemCommandResult result) =>
        !result.Succeeded && (result.ExitCode is NoSuchProcess or ServiceNotFound
            || $"{result.StandardError} {result.StandardOutput}" is var said
                && (said.Contains("No such process", StringComparison.OrdinalIgnoreCase)
                    || said.Contains("Could not find", StringComparison.OrdinalIgnoreCase)));
}

using System.ComponentModel;
using System.Diagnostics;
using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Gateway.Respawn;

/// <summary>
/// Runs <c>launchctl kickstart -k &lt;domain&gt;/&lt;label&gt;</c> for this gateway's own job, the label
/// taken from <c>CLAWSHARP_SERVICE_NAME</c> (set by the plist). launchd then SIGTERMs this
/// process and, once it has exited, starts the job again at once: a kickstart is not held back
/// by <c>ThrottleInterval</c>, which an exit under <c>KeepAlive</c> would be.
/// </summary>
/// <param name="environment">Reads an environment variable.</param>
/// <param name="domain">The job's launchd domain: <see cref="LaunchdTarget.OwnDomain"/> unless a test says otherwise.</param>
/// <param name="program">The <c>launchctl</c> to run (found on PATH).</param>
/// <param name="timeout">How long launchctl may take: it answers at once when launchd is healthy; past this the restart goes on in process.</param>
internal sealed class LaunchdKickstarter(Func<string, string?> environment, Func<string>? domain = null, string program = "launchctl",
    TimeSpan? timeout = null) : ILaunchdKickstarter
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public async Task<KickstartResult> KickstartAsync(CancellationToken cancellationToken)
    {
        if (environment(SupervisorDetection.ServiceNameVariable) is not { Length: > 0 } label)
        {
            return KickstartResult.Failed("", $"{SupervisorDetection.ServiceNameVariable} is not set, so the launchd job's label is unknown");
        }
        var target = LaunchdTarget.Service((domain ?? LaunchdTarget.OwnDomain)(), label);
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["kickstart", "-k", target])
        {
            info.ArgumentList.Add(argument);
        }
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return KickstartResult.Failed(target, $"cannot run {program} ({e.Message})");
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return KickstartResult.Failed(target, $"{program} did not answer within {(timeout ?? DefaultTimeout).TotalSeconds:0} s");
        }
        if (process.ExitCode == 0)
        {
            return new KickstartResult(true, target, "");
        }
        var said = $"{await stderr.ConfigureAwait(false)} {await stdout.ConfigureAwait(false)}".Trim();
        return KickstartResult.Failed(target, $"{program} exited {process.ExitCode}{(said.Length > 0 ? $": {said}" : "")}");
    }
}

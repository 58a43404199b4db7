using System.Diagnostics;
using System.Globalization;
using ClawSharp.Control.Services.Systemd;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Services;

/// <summary>
/// <c>gateway logs --service</c>: what the service manager kept of the gateway's output, beside
/// the gateway's own log (which it writes the same under every manager): systemd's journal for
/// the unit (its start, stop, watchdog and restart lines included), launchd's
/// <c>StandardOutPath</c> file. Windows' service control manager keeps none.
/// </summary>
internal static class ServiceLogs
{
    /// <summary>Prints the manager's log to this process's stdout; returns an exit code, or an error to print.</summary>
    public static async Task<(int Code, string? Error)> PrintAsync(StateDirectory state, int lines, bool follow, CancellationToken cancellationToken)
    {
        if (ServiceRecordStore.Read(state, out var problem) is not { } record)
        {
            return (1, problem ?? $"no service is installed for {state.Root}; 'clawsharp gateway logs' shows the gateway's own log");
        }
        switch (record.Platform)
        {
            case ServicePlatform.Systemd:
                return (await JournalAsync(record, lines, follow, cancellationToken).ConfigureAwait(false), null);
            case ServicePlatform.Launchd when follow:
                return (2, $"--follow is not supported for launchd's log; 'tail -f {ServiceDefinition.ServiceLogFileOf(state)}' follows it");
            case ServicePlatform.Launchd:
                var file = ServiceDefinition.ServiceLogFileOf(state);
                if (!File.Exists(file))
                {
                    return (1, $"{file} does not exist yet (launchd writes it once the job has printed something)");
                }
                foreach (var line in File.ReadLines(file).TakeLast(lines))
                {
                    Console.Out.WriteLine(line);
                }
                return (0, null);
            default:
                return (1, "the Windows service control manager keeps no output of the service; 'clawsharp gateway logs' shows the gateway's own log");
        }
    }

    /// <summary><c>journalctl [--user] -u UNIT -n N --no-pager [-f]</c>, its output straight to ours.</summary>
    private static async Task<int> JournalAsync(ServiceRecord record, int lines, bool follow, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("journalctl") { UseShellExecute = false };
        if (record.Scope == ServiceScope.User)
        {
            info.ArgumentList.Add("--user");
        }
        foreach (var argument in new[] { "-u", SystemdUnits.ServiceUnitName(record.Name), "-n", lines.ToString(CultureInfo.InvariantCulture), "--no-pager" })
        {
            info.ArgumentList.Add(argument);
        }
        if (follow)
        {
            info.ArgumentList.Add("-f");
        }
        Process journal;
        try
        {
            journal = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ServiceCommandException($"cannot run journalctl ({e.Message})");
        }
        using (journal)
        {
            try
            {
                await journal.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                journal.Kill();
                return 0;
            }
            return journal.ExitCode;
        }
    }
}

using ClawSharp.Control.Services;
using ClawSharp.Control.Services.Systemd;

namespace ClawSharp.Control.Doctor;

/// <summary>
/// <c>doctor --fix</c> for a drifted service definition: rewrites it in place through the installer
/// (<see cref="ServiceInstaller.WriteDefinition"/>: the same rendering, modes and record as
/// <c>gateway install</c>, <c>service.env</c>'s entries kept) and lets the manager read it again
/// where that stops nothing (systemd's <c>daemon-reload</c>). It never stops, starts or restarts the
/// service: a manager restart (<c>systemctl restart</c>, launchd's bootout + bootstrap) would stop a
/// serving gateway, and a safe restart would not apply the new definition anyway (under systemd it
/// restarts in process, under launchd <c>kickstart -k</c> starts the job launchd loaded before).
/// So the new definition takes effect when the service next starts, and the result says so.
/// </summary>
internal static class ServiceDefinitionRewrite
{
    /// <summary>What was done, or why nothing was (<c>Done</c> false: the finding stays).</summary>
    internal readonly record struct Outcome(bool Done, string Said);

    public static Outcome Apply(ServiceRecord existing, ServiceDefinition definition, IReadOnlyList<ServiceFile> files, int? runningPid)
    {
        var record = ServiceInstaller.RecordOf(definition, files, TimeProvider.System);
        if (!existing.Files.ToHashSet(StringComparer.Ordinal).SetEquals(record.Files))
        {
            // Another name or another set of files: the old definition would go on beside the new one.
            return new(false, $"not rewritten: 'gateway install' now writes {string.Join(", ", record.Files)} instead of {string.Join(", ", existing.Files)}, " +
                "which replaces the service (install --force stops the old one)");
        }
        try
        {
            ServiceInstaller.WriteDefinition(definition, files, record);
        }
        catch (Exception e) when (e is ServiceCommandException or IOException or UnauthorizedAccessException)
        {
            return new(false, $"not rewritten: {e.Message}");
        }
        var rewritten = $"rewrote {string.Join(" and ", files.Select(file => file.Path))} as 'gateway install' writes {(files.Count == 1 ? "it" : "them")} (service.env's entries kept)";
        string reloaded;
        if (existing.Platform == ServicePlatform.Systemd)
        {
            var systemctl = new Systemctl(existing.Scope);
            var reload = systemctl.RunAsync(CancellationToken.None, "daemon-reload").GetAwaiter().GetResult();
            if (!reload.Succeeded)
            {
                var how = existing.Scope == ServiceScope.User ? "systemctl --user daemon-reload" : "systemctl daemon-reload";
                return new(false, $"{rewritten}, but '{how}' failed ({reload.StandardError.Trim()}): run it, then 'clawsharp doctor' again");
            }
            reloaded = "systemd reloaded its units (daemon-reload)";
        }
        else
        {
            reloaded = "launchd reads the plist again when it next bootstraps the job";
        }
        var running = runningPid is { } pid
            ? $"nothing was stopped or restarted: the running gateway (pid {pid}) keeps the definition it started with until the service next starts"
            : "nothing was started: the service uses it when it next starts";
        return new(true, $"{rewritten}; {reloaded}; {running} ('{ApplyNow}' applies it now, at a quiet moment)");
    }

    /// <summary>
    /// What applies a rewritten definition at once: a stop and a start through the manager, waiting until ready.
    /// Not <c>gateway restart --safe</c>: that restarts in process (systemd) or from the job launchd already loaded.
    /// </summary>
    public const string ApplyNow = "clawsharp gateway install --force";
}

using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.Doctor;

/// <summary>The configured port is free, or held by this state directory's gateway (or a clawsharp supervisor): not by another program.</summary>
internal sealed class PortCheck : IDoctorCheck
{
    public string Name => "port";

    public DoctorFinding Run(DoctorContext context, bool fix)
    {
        if (context.Config is not { } config)
        {
            return DoctorFinding.Healthy(Name, "not checked: the configuration does not load (see the config check)");
        }
        var port = config.Gateway.Port;
        if (port == 0)
        {
            return DoctorFinding.Healthy(Name, "the port is chosen at start (gateway.port 0)");
        }
        var ours = context.Snapshot.GatewayPid;
        var owners = PortOwners.Find(port);
        var others = owners.Where(pid => pid != ours && !PortOwners.IsClawSharp(pid)).ToList();
        if (others.Count == 0)
        {
            return DoctorFinding.Healthy(Name, owners.Count == 0 ? $"port {port} is free" : $"port {port} is served by clawsharp (pid {string.Join(", ", owners)})");
        }
        var who = string.Join(", ", others.Select(pid => $"pid {pid} ({ProcessIdentity.CommandLine(pid) ?? "unknown"})"));
        // Never fixed here: the other program is not ours to stop.
        return new DoctorFinding(Name, false, $"port {port} is taken by another program: {who}",
            $"stop that program, or move the gateway: set gateway.port in {context.State.ConfigFile} (or 'clawsharp gateway install --force --port N' for a service)",
            fix ? false : null);
    }
}

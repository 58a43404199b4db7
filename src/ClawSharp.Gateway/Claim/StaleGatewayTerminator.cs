using ClawSharp.Gateway.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Claim;

/// <summary>
/// <c>gateway run --force</c>: stops a gateway that stands in the way (the owner of this
/// state directory's lock, or a clawsharp process listening on the port). Only processes
/// verified to be clawsharp gateways are signalled: SIGTERM, then SIGKILL after the grace.
/// </summary>
internal sealed class StaleGatewayTerminator(ILogger logger, TimeSpan grace)
{
    /// <summary>Stops the verified lock owner; false when it cannot be identified or does not go.</summary>
    public bool TerminateLockOwner(LockOwner? owner)
    {
        if (owner is null || ProcessIdentity.Check(owner.Pid, owner.StartTime) != ProcessMatch.Same)
        {
            return false;
        }
        return Terminate(owner.Pid);
    }

    /// <summary>Stops the clawsharp processes listening on <paramref name="port"/>; null on success, else why not.</summary>
    public string? FreePort(int port)
    {
        var owners = PortOwners.Find(port).Where(pid => pid != Environment.ProcessId).ToList();
        if (owners.Count == 0)
        {
            return $"no process found listening on port {port}";
        }
        var foreign = owners.FirstOrDefault(pid => !PortOwners.IsClawSharp(pid));
        if (foreign != 0)
        {
            return $"port {port} is held by pid {foreign} ({ProcessIdentity.CommandLine(foreign) ?? "unknown"}), which is not a clawsharp gateway; stop it yourself";
        }
        return owners.All(Terminate) ? null : $"the gateway on port {port} did not exit";
    }

    private bool Terminate(int pid)
    {
        ClaimLog.ForceTerminating(logger, pid);
        if (!Posix.Kill(pid, Posix.SIGTERM))
        {
            return true;
        }
        if (WaitForExit(pid, grace))
        {
            return true;
        }
        ClaimLog.ForceKilling(logger, pid, grace.TotalSeconds);
        Posix.Kill(pid, Posix.SIGKILL);
        return WaitForExit(pid, TimeSpan.FromSeconds(5));
    }

    private static bool WaitForExit(int pid, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            if (ProcessIdentity.Of(pid) is null)
            {
                return true;
            }
            Thread.Sleep(25);
        }
        return ProcessIdentity.Of(pid) is null;
    }
}

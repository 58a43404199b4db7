using ClawSharp.Gateway.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Claim;

/// <summary>
/// <c>gateway run --force</c>: stops a gateway that stands in the way (the owner of this
/// state directory's lock, or a clawsharp process listening on the port). Only processes
/// verified to be clawsharp gateways are signalled: SIGTERM and SIGCONT, then SIGKILL after
/// the grace; the waits are <see cref="ProcessIdentity.WaitForExitAsync"/> on the verified identity, so a
/// PID reused meanwhile counts as gone.
/// </summary>
internal sealed class StaleGatewayTerminator(ILogger logger, TimeSpan grace)
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    /// <summary>Stops the verified lock owner (same start time, and it holds <paramref name="lockFile"/>); false when it cannot be identified or does not go.</summary>
    public async Task<bool> TerminateLockOwnerAsync(LockOwner? owner, string lockFile)
    {
        if (owner is null || ProcessIdentity.Check(owner.Pid, owner.StartTime) != ProcessMatch.Same)
        {
            return false;
        }
        if (!LockHolders.MayHold(owner.Pid, lockFile))
        {
            ClaimLog.ForceRefusedForeignOwner(logger, owner.Pid, lockFile);
            return false;
        }
        return await TerminateAsync(new ProcessIdentity(owner.Pid, owner.StartTime)).ConfigureAwait(false);
    }

    /// <summary>Stops the clawsharp processes listening on <paramref name="port"/>; null on success, else why not.</summary>
    public async Task<string?> FreePortAsync(int port)
    {
        var owners = PortOwners.Find(port).Where(pid => pid != Environment.ProcessId).ToList();
        if (owners.Count == 0)
        {
            return $"no process found listening on port {port}";
        }
        // Identities first, checked after: the processes waited for are the ones verified below.
        var identities = owners.Select(ProcessIdentity.Of).OfType<ProcessIdentity>().ToList();
        var foreign = owners.FirstOrDefault(pid => !PortOwners.IsClawSharp(pid));
        if (foreign != 0)
        {
            return $"port {port} is held by pid {foreign} ({ProcessIdentity.CommandLine(foreign) ?? "unknown"}), which is not a clawsharp gateway; stop it yourself";
        }
        foreach (var identity in identities)
        {
            if (!await TerminateAsync(identity).ConfigureAwait(false))
            {
                return $"the gateway on port {port} did not exit";
            }
        }
        return null;
    }

    private async Task<bool> TerminateAsync(ProcessIdentity target)
    {
        ClaimLog.ForceTerminating(logger, target.Pid);
        if (!Posix.Kill(target.Pid, Posix.SIGTERM))
        {
            return true;
        }
        // A stopped (SIGSTOP) process acts on SIGTERM only once continued; a running one ignores SIGCONT.
        Posix.Kill(target.Pid, Posix.SIGCONT);
        if (await ProcessIdentity.WaitForExitAsync([target], grace, TimeProvider.System).ConfigureAwait(false))
        {
            return true;
        }
        ClaimLog.ForceKilling(logger, target.Pid, grace.TotalSeconds);
        Posix.Kill(target.Pid, Posix.SIGKILL);
        return await ProcessIdentity.WaitForExitAsync([target], KillWait, TimeProvider.System).ConfigureAwait(false);
    }
}

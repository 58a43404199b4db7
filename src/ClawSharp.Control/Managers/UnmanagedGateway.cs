using ClawSharp.Control.Lifecycle;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.Managers;

/// <summary>
/// A gateway no manager runs: a foreground <c>gateway run</c>, or the fresh copy it respawned.
/// Found through the lock (or <c>restarting.json</c>, or a supervisor's child left behind); it
/// restarts itself, so a stop goes to it directly.
/// </summary>
internal sealed class UnmanagedGateway : IGatewayManager
{
    public static readonly UnmanagedGateway Instance = new();

    private UnmanagedGateway()
    {
    }

    public GatewayManagerKind Kind => GatewayManagerKind.None;

    public Task<StartResult> StartAsync(GatewayLaunch launch, CancellationToken cancellationToken) =>
        Task.FromResult<StartResult>(new StartResult.Failed("a gateway without a manager is started with 'clawsharp gateway run'", ExitCode.Failure, [], StartFollowUp.None));

    /// <remarks>A restarting gateway is the owner while its restart lasts: it would come back (or hand over) if left alone.</remarks>
    public ProcessIdentity? StopOwner(DaemonSnapshot snapshot) =>
        snapshot.RestartingProcess ?? LockGateway(snapshot) ?? snapshot.StartingGateway;

    public string Describe(DaemonSnapshot snapshot, ProcessIdentity owner, ProcessIdentity? gateway) => $"pid {owner.Pid}";

    public void Kill(DaemonSnapshot snapshot, ProcessIdentity? gateway, IReadOnlyCollection<ProcessIdentity> targets)
    {
        foreach (var target in targets.Where(t => ProcessIdentity.Check(t.Pid, t.StartTime) == ProcessMatch.Same))
        {
            Posix.Kill(target.Pid, Posix.SIGKILL);
        }
    }

    public bool Wake(DaemonSnapshot snapshot) => false;

    internal static ProcessIdentity? LockGateway(DaemonSnapshot snapshot) =>
        snapshot.Gateway is { } owner ? new ProcessIdentity(owner.Pid, owner.StartTime) : null;
}

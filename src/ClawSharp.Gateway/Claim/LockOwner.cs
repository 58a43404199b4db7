using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Gateway.Claim;

/// <summary>What <c>gateway.lock</c> records about the gateway that owns a state directory.</summary>
/// <param name="Pid">The gateway's PID.</param>
/// <param name="StartTime">The process start stamp (<see cref="Infrastructure.ProcessIdentity.StartTime"/>), to detect PID reuse.</param>
/// <param name="Port">The port actually bound (never 0 once the server listens).</param>
/// <param name="Bind">The bind address.</param>
/// <param name="Version">The gateway version.</param>
/// <param name="AcquiredAt">When the lock was taken.</param>
/// <param name="Manager">Who supervises the owner, as <c>CLAWSHARP_SUPERVISOR</c> names it (<c>none</c>,
/// <c>builtin</c>, <c>systemd</c>, <c>launchd</c>, <c>windows</c>); null in a lock written before it was recorded.</param>
/// <param name="TokenFile">The <c>--token-file</c> the owner reads its token from (a path, never the token), so that this
/// home's CLI presents the token the gateway enforces; null when the token is the config's or the <c>token</c> file's.</param>
internal sealed record LockOwner(int Pid, long StartTime, int Port, string Bind, string Version, DateTimeOffset AcquiredAt, string? Manager = null,
    string? TokenFile = null)
{
    /// <summary>The <see cref="Manager"/> value for <paramref name="kind"/>: the name <c>CLAWSHARP_SUPERVISOR</c> uses.</summary>
    public static string ManagerName(SupervisorKind kind) => kind.ToString().ToLowerInvariant();
}

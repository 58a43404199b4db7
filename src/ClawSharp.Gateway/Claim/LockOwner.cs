namespace ClawSharp.Gateway.Claim;

/// <summary>What <c>gateway.lock</c> records about the gateway that owns a state directory.</summary>
/// <param name="Pid">The gateway's PID.</param>
/// <param name="StartTime">The process start stamp (<see cref="Infrastructure.ProcessIdentity.StartTime"/>), to detect PID reuse.</param>
/// <param name="Port">The port actually bound (never 0 once the server listens).</param>
/// <param name="Bind">The bind address.</param>
/// <param name="Version">The gateway version.</param>
/// <param name="AcquiredAt">When the lock was taken.</param>
internal sealed record LockOwner(int Pid, long StartTime, int Port, string Bind, string Version, DateTimeOffset AcquiredAt);

namespace ClawSharp.Control.SelfTest;

/// <summary>One fault cycle: what was done, whether the gateway was ready again within the bound, and how long that took.</summary>
/// <param name="Cycle">1-based.</param>
/// <param name="Fault">The fault's name (<see cref="FaultKinds.Name"/>).</param>
/// <param name="Recovered">Ready again (a new generation) within the bound; a skipped fault counts as recovered.</param>
/// <param name="RecoveryMs">From the fault to ready, in milliseconds.</param>
/// <param name="Skipped">Why the fault could not be applied on this machine; null when it was.</param>
/// <param name="StartedAt">When the fault was applied (Unix ms): a duplicate or a loss is attributed to the fault it follows.</param>
/// <param name="Note">What happened on the way (a refused restart, as expected), or what went wrong.</param>
internal sealed record FaultOutcome(int Cycle, string Fault, bool Recovered, long RecoveryMs, string? Skipped, string? Note, long StartedAt);

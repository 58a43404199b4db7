namespace ClawSharp.Gateway.Claim;

/// <summary>
/// How a start that finds the state directory or the port taken ends (ARCHITECTURE.md §3,
/// "Lock"): exit 1, except a supervised duplicate whose owner answers <c>/healthz</c>, which
/// exits 78 so that its supervisor does not restart it in a loop beside a healthy gateway.
/// Pure: the caller probes the owner only when <see cref="ShouldProbeOwner"/> says so.
/// </summary>
internal static class DuplicateStartPolicy
{
    /// <summary>Only a supervised duplicate on a known port needs the owner's health.</summary>
    public static bool ShouldProbeOwner(bool supervised, int port) => supervised && port != 0;

    public static ExitCode Decide(bool supervised, int port, bool ownerHealthy) =>
        ShouldProbeOwner(supervised, port) && ownerHealthy ? ExitCode.Config : ExitCode.Failure;
}

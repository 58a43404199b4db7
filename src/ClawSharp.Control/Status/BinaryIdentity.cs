using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Protocol;

namespace ClawSharp.Control.Status;

/// <summary>
/// One clawsharp binary as <c>gateway status</c> shows it: its version, commit, build date and path.
/// <see cref="Drift"/> is the one place that decides whether the running gateway and this CLI are
/// different builds (the service drift lines reuse it).
/// </summary>
/// <param name="Version">The product version (<c>0.2.0</c>).</param>
/// <param name="Commit">The short commit, when known.</param>
/// <param name="BuildDate">The UTC build date, when known.</param>
/// <param name="Path">The executable (for the gateway: <c>/proc/PID/exe</c>, else what it said), when known.</param>
internal sealed record BinaryIdentity(string Version, string? Commit, string? BuildDate, string? Path)
{
    /// <summary>This CLI.</summary>
    public static BinaryIdentity Cli { get; } =
        new(GatewayVersion.Current, GatewayVersion.Commit, GatewayVersion.BuildDate, Services.ServiceDefinitionBuilder.SelfCommandLine()[0]);

    /// <summary>The running gateway: the lock's version, completed by its <c>status</c> answer; null when no gateway holds the lock.</summary>
    public static BinaryIdentity? Gateway(DaemonSnapshot snapshot, StatusPayload? answer) =>
        snapshot.Gateway is { } owner
            ? new(answer?.Version ?? owner.Version, answer?.Commit, answer?.BuildDate, ProcessExecutable.Of(owner.Pid) ?? answer?.Executable)
            : null;

    /// <summary><c>clawsharp 0.2.0 (commit 1a2b3c4, built 2026-11-26)</c>.</summary>
    public string Describe() => GatewayVersion.Describe(Version, Commit, BuildDate);

    /// <summary>
    /// Pure: null when both are the same build (same version, and same commit where both know it);
    /// otherwise "the running gateway is 0.2.0 (/usr/local/bin/clawsharp), this CLI is 0.3.0 (/tmp/x/clawsharp)".
    /// Builds of one version from different commits are told apart by their commits.
    /// </summary>
    public static string? Drift(BinaryIdentity? gateway, BinaryIdentity cli)
    {
        if (gateway is null)
        {
            return null;
        }
        var sameVersion = gateway.Version == cli.Version;
        var sameCommit = gateway.Commit is null || cli.Commit is null || gateway.Commit == cli.Commit;
        if (sameVersion && sameCommit)
        {
            return null;
        }
        return $"the running gateway is {Label(gateway, sameVersion)}{Where(gateway)}, this CLI is {Label(cli, sameVersion)}{Where(cli)}";
    }

    private static string Label(BinaryIdentity binary, bool sameVersion) =>
        sameVersion && binary.Commit is { } commit ? $"{binary.Version} (commit {commit})" : binary.Version;

    private static string Where(BinaryIdentity binary) => binary.Path is { } path ? $" ({path})" : "";
}

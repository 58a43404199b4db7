namespace ClawSharp.Gateway.Diagnostics;

/// <summary>A diagnostics snapshot written to <c>bundles/</c> when the gateway cannot go on as planned.</summary>
internal sealed record StabilityBundle(
    string Reason,
    string Detail,
    DateTimeOffset Time,
    ProcessFacts Process,
    string? Error,
    IReadOnlyList<string> RecentLogLines);

/// <summary>The process facts a bundle carries.</summary>
internal sealed record ProcessFacts(
    int Pid,
    string Version,
    string Runtime,
    string Os,
    DateTimeOffset StartedAt,
    long UptimeMs,
    long WorkingSetBytes,
    long GcHeapBytes,
    int Threads,
    string? CommandLine,
    string StateDirectory);

namespace ClawSharp.Gateway.Claim;

/// <summary>What a gateway's <c>/readyz</c> said when asked once, with a timeout (<see cref="GatewayReadiness.ProbeAsync"/>).</summary>
internal enum ReadinessAnswer
{
    /// <summary>Not asked, or nothing to ask: no port known, the connection was refused, or the asker gave up.</summary>
    Unknown,

    /// <summary>200: it serves.</summary>
    Ready,

    /// <summary>Another status (503 while starting or shutting down): alive, not serving work.</summary>
    NotReady,

    /// <summary>No status line within the timeout: the process is stopped (SIGSTOP) or wedged. Its socket still accepts, into the kernel's backlog.</summary>
    NoAnswer,
}

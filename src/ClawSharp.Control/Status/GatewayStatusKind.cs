namespace ClawSharp.Control.Status;

/// <summary>What <c>gateway status</c> concludes (its JSON <c>status</c>, in lower case).</summary>
internal enum GatewayStatusKind
{
    /// <summary>The lock names a live gateway and it answered <c>status</c>.</summary>
    Running,

    /// <summary>Not serving yet: a supervised child not answering yet, a restart under way, a supervisor starting one.</summary>
    Starting,

    /// <summary>The gateway crashed; the supervisor starts it again after a delay.</summary>
    Backoff,

    /// <summary>The supervisor gave up, or a restart could not start a server.</summary>
    Failed,

    /// <summary>Nothing runs.</summary>
    Stopped,

    /// <summary>The lock names a live gateway that does not answer.</summary>
    Unreachable,
}

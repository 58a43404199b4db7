namespace ClawSharp.Gateway.Protocol;

/// <summary>Numbers of the control protocol (OpenClaw gateway protocol v4, PROTOCOL.md).</summary>
internal static class ProtocolConstants
{
    public const int Version = 4;

    /// <summary>Largest frame accepted before <c>hello-ok</c>: 64 KiB.</summary>
    public const int MaxHandshakeFrameBytes = 64 * 1024;

    /// <summary>Largest frame accepted after the handshake, announced as <c>policy.maxPayload</c>.</summary>
    public const int MaxPayloadBytes = 26_214_400;

    /// <summary>Announced as <c>policy.maxBufferedBytes</c>.</summary>
    public const int MaxBufferedBytes = 52_428_800;

    /// <summary>How long a client has to complete <c>connect</c>: 10 s.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Interval of <c>tick</c> events, announced as <c>policy.tickIntervalMs</c>: 30 s.</summary>
    public static readonly TimeSpan DefaultTickInterval = TimeSpan.FromSeconds(30);

    /// <summary>How soon clients may expect the gateway back after a restart, sent in <c>shutdown</c>.</summary>
    public static readonly int RestartExpectedMs = (int)Work.DrainGate.RetryAfter.TotalMilliseconds;
}

/// <summary>WebSocket close codes the protocol names.</summary>
internal static class CloseCodes
{
    public const int GoingAway = 1001;
    public const int ProtocolError = 1002;
    public const int PolicyViolation = 1008;
    public const int MessageTooBig = 1009;
    public const int ServiceRestart = 1012;
    public const int TryAgainLater = 1013;
}

/// <summary>Error codes in response frames (upper snake case).</summary>
internal static class ErrorCodes
{
    public const string InvalidRequest = "INVALID_REQUEST";
    public const string Forbidden = "FORBIDDEN";
    public const string Unavailable = "UNAVAILABLE";
    public const string NotPaired = "NOT_PAIRED";
    public const string NotLinked = "NOT_LINKED";
    public const string AgentTimeout = "AGENT_TIMEOUT";
    public const string RateLimited = "RATE_LIMITED";
    public const string GatewayDraining = "GATEWAY_DRAINING";
}

/// <summary>Operator scopes, as OpenClaw's table: admin satisfies every scope, write satisfies read.</summary>
internal static class Scopes
{
    public const string Read = Configuration.ScopeNames.Read;
    public const string Write = Configuration.ScopeNames.Write;
    public const string Admin = Configuration.ScopeNames.Admin;

    public static bool Satisfies(IReadOnlySet<string> granted, string required) =>
        granted.Contains(required)
        || granted.Contains(Admin)
        || (required == Read && granted.Contains(Write));
}

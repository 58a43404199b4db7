using ClawSharp.Gateway;

namespace ClawSharp.Control.Status;

/// <summary>The outcome of <see cref="GatewayStatusDecision.Decide"/>.</summary>
/// <param name="Kind">What the gateway is doing.</param>
/// <param name="Headline">The first line of <c>gateway status</c>, and its JSON <c>message</c>.</param>
/// <param name="ExitCode">0 running; 3 not running (stopped, starting, backoff); 1 failed or unreachable (LSB).</param>
/// <param name="Port">The port the gateway serves, when a gateway owns the lock.</param>
internal sealed record GatewayStatusVerdict(GatewayStatusKind Kind, string Headline, ExitCode ExitCode, int? Port)
{
    /// <summary>The wire name: <c>running</c>, <c>starting</c>, <c>backoff</c>, <c>failed</c>, <c>stopped</c>, <c>unreachable</c>.</summary>
    public string Name => Kind.ToString().ToLowerInvariant();
}

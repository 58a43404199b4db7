using ClawSharp.Gateway.Protocol;

namespace ClawSharp.Gateway.Work;

/// <summary>
/// The switch the lifecycle flips when a restart begins: while draining, new messages and
/// tasks are refused with <c>GATEWAY_DRAINING</c>; nothing already accepted is dropped.
/// </summary>
public sealed class DrainGate
{
    public const string Message = "Gateway is draining for restart; new tasks are not accepted";

    /// <summary>The retry hint sent with the refusal: about how long a restart takes.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(ProtocolConstants.RestartExpectedMs);

    private volatile bool draining;

    public bool IsDraining => draining;

    public void BeginDraining() => draining = true;

    public static ProtocolError Refusal() => new(ErrorCodes.GatewayDraining, Message)
    {
        Retryable = true,
        RetryAfterMs = (long)RetryAfter.TotalMilliseconds,
    };
}

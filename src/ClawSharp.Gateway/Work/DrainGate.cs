namespace ClawSharp.Gateway.Work;

/// <summary>
/// The switch the lifecycle flips when a restart begins: while draining, new messages and
/// tasks are refused with <c>GATEWAY_DRAINING</c>; nothing already accepted is dropped.
/// </summary>
internal sealed class DrainGate
{
    public const string Message = "Gateway is draining for restart; new tasks are not accepted";

    /// <summary>The retry hint sent with the refusal, and the <c>restartExpectedMs</c> of <c>shutdown</c>: about how long a restart takes (1.5 s).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(1500);

    private volatile bool draining;

    public bool IsDraining => draining;

    public void BeginDraining() => draining = true;
}

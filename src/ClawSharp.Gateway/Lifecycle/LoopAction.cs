namespace ClawSharp.Gateway.Lifecycle;

/// <summary>What the run loop does with a command in a given state.</summary>
// Public, unlike the other types: xunit theories (public methods) take it as a parameter.
public enum LoopAction
{
    /// <summary>Close the server and exit 0 (a restart waiting for its cooldown or its drain is abandoned).</summary>
    Stop,

    /// <summary>Close the server and start a new one.</summary>
    Restart,

    /// <summary>Log and drop the command (an RPC is told the gateway is stopping).</summary>
    Ignore,

    /// <summary>Join the restart already in flight.</summary>
    Coalesce,

    /// <summary>A stop while the server closes or starts: finish that step, then exit instead of serving.</summary>
    UpgradeToStop,

    /// <summary>A stop during a stop: its drain ends at once and the close follows (ignored once the close has begun).</summary>
    CutStopDrain,
}

/// <summary>A decision with the reason that is logged.</summary>
internal readonly record struct LoopDecision(LoopAction Action, string Reason);

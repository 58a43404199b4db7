namespace ClawSharp.Gateway.Lifecycle;

/// <summary>What the run loop does with a command in a given state.</summary>
public enum LoopAction
{
    /// <summary>Close the server and exit 0.</summary>
    Stop,

    /// <summary>Close the server and start a new one.</summary>
    Restart,

    /// <summary>Log and drop the command.</summary>
    Ignore,

    /// <summary>Join the restart already in flight.</summary>
    Coalesce,

    /// <summary>A stop during a restart: finish closing, then exit instead of starting again.</summary>
    UpgradeToStop,
}

/// <summary>A decision with the reason that is logged.</summary>
public readonly record struct LoopDecision(LoopAction Action, string Reason);

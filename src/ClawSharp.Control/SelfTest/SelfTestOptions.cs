namespace ClawSharp.Control.SelfTest;

/// <summary>What <c>clawsharp selftest</c> runs.</summary>
internal sealed class SelfTestOptions
{
    /// <summary>Fault cycles. Default 20 (the short profile); 200 is the long one.</summary>
    public int Faults { get; init; } = 20;

    /// <summary>Chooses the faults and the load: the same seed gives the same sequence.</summary>
    public required int Seed { get; init; }

    /// <summary>Leave the scratch directory behind (for a look at its logs and store). Default false.</summary>
    public bool Keep { get; init; }

    /// <summary>How long the gateway has to be ready again after a fault. Default 30 s.</summary>
    public TimeSpan RecoveryBound { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a message is sent again before it counts as never acknowledged. Default 60 s.</summary>
    public TimeSpan AckDeadline { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long, after the last fault, every acknowledged message has to be answered. Default 60 s.</summary>
    public TimeSpan AnswerDeadline { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Load between two faults, so that work is in flight when the next one lands. Default 400 ms.</summary>
    public TimeSpan Gap { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>The most messages the load sends, whatever the number of faults. Default 100 a fault, at least 200.</summary>
    public int MaxMessages => Math.Max(200, Faults * 100);
}

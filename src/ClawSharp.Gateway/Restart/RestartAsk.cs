namespace ClawSharp.Gateway.Restart;

/// <summary>What a restart request asks for (RPC params, an intent file, or a bare signal).</summary>
/// <param name="Source">Who asked (<c>rpc</c>, <c>SIGUSR1</c>, <c>SIGTERM+intent</c>).</param>
/// <param name="Reason">Why, for the log and the answer.</param>
/// <param name="SkipDeferral">Skip the drain when nothing is active (or <paramref name="InterruptActiveWork"/>).</param>
/// <param name="InterruptActiveWork">Approves cutting active work.</param>
/// <param name="Force">Restart now, cutting active runs; escalates a restart already pending.</param>
/// <param name="WaitMs">Cap on the drain; shortens the drain of a restart already pending, never lengthens it.</param>
internal sealed record RestartAsk(string Source, string? Reason, bool SkipDeferral, bool InterruptActiveWork, bool? Force, long? WaitMs)
{
    /// <summary>
    /// When the requester asked: a generation that started after this satisfies the request
    /// (it is answered <c>coalesced</c> instead of restarting again). Null: restart whatever serves.
    /// </summary>
    public DateTimeOffset? RequestedAt { get; init; }

    /// <summary>Least time before the restart begins (a config reload's <c>gateway.reload.restartDelayMs</c>); the cooldown applies when longer.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>The generation the requester saw: when another one serves now, the request is satisfied.</summary>
    public string? IfBootId { get; init; }
}

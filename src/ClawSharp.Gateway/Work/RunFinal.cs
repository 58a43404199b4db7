namespace ClawSharp.Gateway.Work;

/// <summary>How a run ended, as the final answer of <c>chat.send</c> reports it.</summary>
public sealed record RunFinal(string RunId, string MessageId, string SessionKey, string State, string? Text);

/// <summary>Which runs an abort ends.</summary>
public enum AbortMode
{
    /// <summary>Only runs that are compacting (none of the built-in agents compacts, so none today).</summary>
    CompactingOnly,

    /// <summary>Every queued and running run.</summary>
    All,
}

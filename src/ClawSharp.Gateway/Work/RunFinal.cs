namespace ClawSharp.Gateway.Work;

/// <summary>How a run ended, as the final answer of <c>chat.send</c> reports it.</summary>
internal sealed record RunFinal(string RunId, string MessageId, string SessionKey, string State, string? Text);

namespace ClawSharp.Gateway.Work;

/// <summary>A reply as the <c>chat</c> event carries it; <see cref="MessageId"/> lets a client drop a duplicate delivery.</summary>
internal sealed record ChatEvent(string RunId, string MessageId, string SessionKey, string State, string? Text);

/// <summary>Where replies go to the WebSocket clients.</summary>
internal interface IChatEventSink
{
    void Publish(ChatEvent chatEvent);
}

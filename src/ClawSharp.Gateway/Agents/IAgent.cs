namespace ClawSharp.Gateway.Agents;

/// <summary>One message for an agent to answer.</summary>
internal sealed record AgentRequest(string RunId, string MessageId, string SessionKey, string Text);

/// <summary>An agent's answer: the reply text, or why it failed.</summary>
internal sealed record AgentReply(bool Ok, string Text)
{
    public static AgentReply Success(string text) => new(true, text);

    public static AgentReply Failure(string error) => new(false, error);
}

/// <summary>Answers messages. Cancellation means the run was aborted: stop promptly.</summary>
internal interface IAgent
{
    string Name { get; }

    Task<AgentReply> RunAsync(AgentRequest request, CancellationToken cancellationToken);
}

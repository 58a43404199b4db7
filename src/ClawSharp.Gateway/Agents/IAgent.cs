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

    /// <summary>
    /// The answer, when the agent makes it in the gateway at once with no effect outside it
    /// (echo): the run then starts and ends in one store write, and its session's next run does
    /// not wait for that commit. Null when the agent has to run: its start is committed first,
    /// so that a run which takes the gateway down with it is counted and not retried forever.
    /// </summary>
    AgentReply? AnswerAtOnce(AgentRequest request);

    Task<AgentReply> RunAsync(AgentRequest request, CancellationToken cancellationToken);
}

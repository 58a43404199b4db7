using System.Globalization;

namespace ClawSharp.Gateway.Agents;

/// <summary>
/// The offline default: answers with the text it was sent. Directives for tests and demos:
/// <c>/delay MS TEXT</c> answers TEXT after MS milliseconds (the run is running the whole
/// time and can be aborted); <c>/fail TEXT</c> fails the run with TEXT as the error.
/// </summary>
internal sealed class EchoAgent(TimeSpan delay, TimeProvider time) : IAgent
{
    public string Name => "echo";

    /// <summary>Every answer but a delayed one: those run (and can be aborted) for their delay.</summary>
    public AgentReply? AnswerAtOnce(AgentRequest request)
    {
        var (reply, wait) = Parse(request.Text);
        return wait > TimeSpan.Zero ? null : reply;
    }

    public async Task<AgentReply> RunAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        var (reply, wait) = Parse(request.Text);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
        return reply;
    }

    private (AgentReply Reply, TimeSpan Wait) Parse(string text)
    {
        if (text.StartsWith("/fail", StringComparison.Ordinal) && (text.Length == 5 || text[5] == ' '))
        {
            return (AgentReply.Failure(text.Length > 6 ? text[6..] : "failed on request"), TimeSpan.Zero);
        }
        var wait = delay;
        if (text.StartsWith("/delay ", StringComparison.Ordinal))
        {
            var parts = text.Split(' ', 3);
            if (parts.Length >= 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                wait = TimeSpan.FromMilliseconds(ms);
                text = parts.Length == 3 ? parts[2] : "";
            }
        }
        return (AgentReply.Success(text), wait);
    }
}

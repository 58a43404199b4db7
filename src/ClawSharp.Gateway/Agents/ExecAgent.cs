using System.Collections;

namespace ClawSharp.Gateway.Agents;

/// <summary>
/// Runs a configured command: the message on stdin, the reply from stdout (at most
/// <c>agents.exec.maxReplyBytes</c>, then a marker saying it was cut), with a timeout and an
/// allowlisted environment.
/// </summary>
internal sealed class ExecAgent(string? command, TimeSpan timeout, int maxReplyBytes, ChildEnvironment environment, ExecChildren children,
    Func<IDictionary> currentEnvironment) : IAgent
{
    private const int MaxErrorChars = 500;

    public string Name => "exec";

    /// <summary>Never: it acts outside the gateway (a child process).</summary>
    public AgentReply? AnswerAtOnce(AgentRequest request) => null;

    public async Task<AgentReply> RunAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        if (command is null)
        {
            return AgentReply.Failure("the exec agent has no command: set agents.exec.command in config.json");
        }
        var variables = environment.For(currentEnvironment(),
            new Dictionary<string, string> { ["CLAWSHARP_SESSION"] = request.SessionKey, ["CLAWSHARP_RUN_ID"] = request.RunId });
        var result = await ShellCommand.RunAsync(
            new ShellRequest("agent", request.RunId, command, request.Text, timeout, variables, maxReplyBytes, KeepLastStdout: false),
            children, cancellationToken).ConfigureAwait(false);
        if (result.TimedOut)
        {
            return AgentReply.Failure($"exec agent timed out after {timeout.TotalMilliseconds:F0} ms");
        }
        if (result.ExitCode != 0)
        {
            var stderr = result.Stderr.Text.Trim();
            return AgentReply.Failure($"exec agent exited with code {result.ExitCode}" +
                (stderr.Length == 0 ? "" : $": {(stderr.Length > MaxErrorChars ? stderr[..MaxErrorChars] : stderr)}"));
        }
        var reply = result.Stdout.Text.TrimEnd('\n');
        return AgentReply.Success(result.Stdout.Truncated ? reply + TruncationMarker(result.Stdout.TotalBytes) : reply);
    }

    /// <summary>Ends a cut reply, so that whoever reads it knows there was more.</summary>
    public string TruncationMarker(long totalBytes) =>
        $"\n[reply truncated: the exec agent wrote {totalBytes} bytes, the first {maxReplyBytes} are kept (agents.exec.maxReplyBytes)]";
}

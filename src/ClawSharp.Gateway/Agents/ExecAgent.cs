using System.Diagnostics;

namespace ClawSharp.Gateway.Agents;

/// <summary>Runs a configured command: the message on stdin, the reply from stdout, with a timeout.</summary>
public sealed class ExecAgent(string? command, TimeSpan timeout) : IAgent
{
    private const int MaxErrorChars = 500;

    public string Name => "exec";

    public async Task<AgentReply> RunAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        if (command is null)
        {
            return AgentReply.Failure("the exec agent has no command: set agents.exec.command in config.json");
        }
        var result = await ShellCommand.RunAsync(command, request.Text, timeout,
            new Dictionary<string, string> { ["CLAWSHARP_SESSION"] = request.SessionKey, ["CLAWSHARP_RUN_ID"] = request.RunId },
            cancellationToken).ConfigureAwait(false);
        if (result.TimedOut)
        {
            return AgentReply.Failure($"exec agent timed out after {timeout.TotalMilliseconds:F0} ms");
        }
        if (result.ExitCode != 0)
        {
            var stderr = result.Stderr.Trim();
            return AgentReply.Failure($"exec agent exited with code {result.ExitCode}" +
                (stderr.Length == 0 ? "" : $": {(stderr.Length > MaxErrorChars ? stderr[..MaxErrorChars] : stderr)}"));
        }
        return AgentReply.Success(result.Stdout.TrimEnd('\n'));
    }
}

/// <summary>The outcome of a <see cref="ShellCommand"/>.</summary>
public sealed record ShellResult(int ExitCode, string Stdout, string Stderr, bool TimedOut);

/// <summary>Runs <c>/bin/sh -c COMMAND</c> with input, a timeout and cancellation; kills the whole tree when either fires.</summary>
public static class ShellCommand
{
    public static async Task<ShellResult> RunAsync(string command, string? input, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start /bin/sh");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input).ConfigureAwait(false);
            }
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command did not read its input; its exit code tells the rest.
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new ShellResult(-1, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), TimedOut: true);
        }
        return new ShellResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), TimedOut: false);
    }
}

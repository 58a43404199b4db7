using System.Diagnostics;

namespace ClawSharp.Gateway.Agents;

/// <summary>Runs a configured command: the message on stdin, the reply from stdout, with a timeout.</summary>
internal sealed class ExecAgent(string? command, TimeSpan timeout) : IAgent
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
internal sealed record ShellResult(int ExitCode, string Stdout, string Stderr, bool TimedOut);

/// <summary>Runs <c>/bin/sh -c COMMAND</c> with input, a timeout and cancellation; kills the whole tree when either fires.</summary>
internal static class ShellCommand
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
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        // Reads and the write obey the same limit: a grandchild holding stdout open, or a command
        // that never reads a large input, must not outlive the timeout or an abort.
        var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), limit.Token).ConfigureAwait(false);
            }
            process.StandardInput.Close();
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            return new ShellResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), TimedOut: false);
        }
        catch (IOException) when (!limit.IsCancellationRequested)
        {
            // The command did not read its input; wait for it and let its exit code tell the rest.
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
                return new ShellResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), TimedOut: false);
            }
            catch (OperationCanceledException)
            {
                return await KilledAsync(process, stdout, stderr, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return await KilledAsync(process, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<ShellResult> KilledAsync(Process process, Task<string> stdout, Task<string> stderr, CancellationToken cancellationToken)
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return new ShellResult(-1, await Partial(stdout).ConfigureAwait(false), await Partial(stderr).ConfigureAwait(false), TimedOut: true);
    }

    private static async Task<string> Partial(Task<string> read)
    {
        try
        {
            return await read.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or IOException)
        {
            return "";
        }
    }
}

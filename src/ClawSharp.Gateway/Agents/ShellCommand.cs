using System.Diagnostics;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Agents;

/// <summary>One command to run: what it reads, how long it may take, what it sees, and how much of its output is kept.</summary>
/// <param name="Kind"><c>agent</c> or <c>task</c>, recorded with the child.</param>
/// <param name="OwnerId">The run or task id, recorded with the child.</param>
/// <param name="Environment">The child's whole environment (see <see cref="ChildEnvironment"/>).</param>
/// <param name="MaxStdoutBytes">Bytes of stdout kept; the rest is read and dropped.</param>
/// <param name="KeepLastStdout">Keep the last bytes (a task's log) rather than the first (a reply).</param>
internal sealed record ShellRequest(string Kind, string OwnerId, string Command, string? Input, TimeSpan Timeout,
    IReadOnlyDictionary<string, string> Environment, int MaxStdoutBytes, bool KeepLastStdout);

/// <summary>The outcome of a <see cref="ShellCommand"/>.</summary>
internal sealed record ShellResult(int ExitCode, CapturedOutput Stdout, CapturedOutput Stderr, bool TimedOut);

/// <summary>
/// Runs <c>/bin/sh -c COMMAND</c> with input, a timeout and cancellation. On Linux the command
/// leads a session of its own (started through <c>setsid</c>), recorded in the store while it
/// runs: when it exits, times out or is cancelled, the whole session is killed, so nothing it
/// started outlives it, and a session a killed gateway left behind is ended at the next start.
/// Output is read into bounded buffers (<see cref="OutputCapture"/>).
/// </summary>
internal static class ShellCommand
{
    /// <summary>Bytes of stderr kept (the last ones): enough for the error a failure reports.</summary>
    public const int MaxStderrBytes = 8 * 1024;

    private static readonly string? SetSid = OperatingSystem.IsLinux()
        ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists)
        : null;

    public static async Task<ShellResult> RunAsync(ShellRequest request, ExecChildren children, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(SetSid ?? "/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (SetSid is not null)
        {
            // Not a group leader (it is in the gateway's group), so setsid execs the shell in place: same PID.
            info.ArgumentList.Add("/bin/sh");
        }
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(request.Command);
        info.Environment.Clear();
        foreach (var (key, value) in request.Environment)
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start /bin/sh");
        var leader = SetSid is null ? null : ProcessIdentity.Of(process.Id);
        var record = leader is null ? null : children.Started(request.Kind, request.OwnerId, leader);
        try
        {
            return await SuperviseAsync(process, leader, request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            children.Ended(record);
        }
    }

    private static async Task<ShellResult> SuperviseAsync(Process process, ProcessIdentity? leader, ShellRequest request, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(request.Timeout);
        var stdout = new OutputCapture(request.MaxStdoutBytes, request.KeepLastStdout);
        var stderr = new OutputCapture(MaxStderrBytes, keepLast: true);
        // Reads and the write obey the same limit: a grandchild holding stdout open, or a command
        // that never reads a large input, must not outlive the timeout or an abort.
        var stdoutRead = stdout.ReadAsync(process.StandardOutput.BaseStream, limit.Token);
        var stderrRead = stderr.ReadAsync(process.StandardError.BaseStream, limit.Token);
        try
        {
            try
            {
                if (request.Input is not null)
                {
                    await process.StandardInput.WriteAsync(request.Input.AsMemory(), limit.Token).ConfigureAwait(false);
                }
                process.StandardInput.Close();
            }
            catch (IOException) when (!limit.IsCancellationRequested)
            {
                // The command did not read its input; wait for it and let its exit code tell the rest.
            }
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            // What the command left running would hold the pipes open, and must not outlive it.
            EndSession(process, leader);
            return new ShellResult(process.ExitCode, await stdoutRead.ConfigureAwait(false), await stderrRead.ConfigureAwait(false), TimedOut: false);
        }
        catch (OperationCanceledException)
        {
            EndSession(process, leader);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new ShellResult(-1, await Partial(stdoutRead, stdout).ConfigureAwait(false), await Partial(stderrRead, stderr).ConfigureAwait(false),
                TimedOut: true);
        }
    }

    private static void EndSession(Process process, ProcessIdentity? leader)
    {
        if (leader is not null)
        {
            ChildSessions.Kill(leader);
        }
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private static async Task<CapturedOutput> Partial(Task<CapturedOutput> read, OutputCapture capture)
    {
        try
        {
            return await read.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or IOException)
        {
            return capture.Result();
        }
    }
}

using System.Diagnostics;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Control.Managers;

/// <summary>
/// A built-in supervisor this process launched (<c>clawsharp gateway supervise</c>), with what it
/// printed on stderr before it detached (a runtime error, say), for a failure message.
/// </summary>
internal sealed class SupervisorProcess : IDisposable
{
    private readonly Process process;
    private readonly List<string> errors = [];

    private SupervisorProcess(Process process) => this.process = process;

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <exception cref="System.ComponentModel.Win32Exception">The binary cannot be started.</exception>
    /// <exception cref="InvalidOperationException">No process was started.</exception>
    public static SupervisorProcess Launch(StateDirectory state, ConfigOverrides overrides)
    {
        var info = SelfCommand.StartInfo(LaunchArguments.For(["gateway", "supervise"], state, overrides));
        // The supervisor marks its own child; it is not itself supervised by anyone.
        info.Environment.Remove(SupervisorDetection.EnvironmentVariable);
        // Private pipes, never this command's own streams: the supervisor outlives this command,
        // and a caller reading our output ($(clawsharp gateway start)) must see its end.
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var supervisor = new SupervisorProcess(Process.Start(info) ?? throw new InvalidOperationException("no process was started"));
        supervisor.Capture();
        return supervisor;
    }

    /// <summary>
    /// Waits (up to 1 s) for the end of its stderr once it has exited: <see cref="HasExited"/> does
    /// not wait for the reader, and a supervisor that died before detaching holds no other writer
    /// of the pipe, so the end comes at once.
    /// </summary>
    public async Task DrainAsync()
    {
        using var drained = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await process.WaitForExitAsync(drained.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (drained.IsCancellationRequested)
        {
        }
    }

    /// <summary>": line | line" of its last stderr lines, or "" when it said nothing.</summary>
    public string Said()
    {
        lock (errors)
        {
            return errors.Count == 0 ? "" : ": " + string.Join(" | ", errors.TakeLast(5));
        }
    }

    public void Dispose() => process.Dispose();

    private void Capture()
    {
        process.StandardInput.Close();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                lock (errors)
                {
                    errors.Add(line);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }
}

using System.Collections.Concurrent;
using ClawSharp.Gateway.Agents;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Storage;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Work;

/// <summary>
/// Runs background tasks of the durable registry: an <c>exec</c> command detached from any
/// session, with a timeout. Only running tasks are active work; queued ones wait for a slot.
/// </summary>
internal sealed class TaskRunner(GatewayStore store, Func<TaskOptions> options, ResizableSlots slots, ILogger logger, CancellationToken stopping, Action changed,
    Func<bool> draining, ChildEnvironment environment, ExecChildren children)
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> running = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> started = [];

    public int Active => running.Count;

    public TaskRecord Create(string command, string? label, string? title, string? sessionKey, bool restartable, TimeSpan? timeout)
    {
        var task = store.CreateTask("exec", command, label, title, sessionKey, restartable,
            (long)(timeout ?? options().DefaultTimeout).TotalMilliseconds);
        Start(task.TaskId);
        return task;
    }

    public void Start(string taskId) => started.Add(Task.Run(() => RunAsync(taskId)));

    /// <summary>Cancels a queued or running task; false when it had already ended or does not exist.</summary>
    public bool Cancel(string taskId, string reason)
    {
        if (store.TransitionTask(taskId, TaskState.Queued, TaskState.Cancelled, error: reason))
        {
            return true;
        }
        if (running.TryGetValue(taskId, out var cts) && store.TransitionTask(taskId, TaskState.Running, TaskState.Cancelled, error: reason))
        {
            cts.Cancel();
            return true;
        }
        return false;
    }

    public Task WhenStoppedAsync() => Task.WhenAll(started);

    private async Task RunAsync(string taskId)
    {
        try
        {
            await slots.WaitAsync(stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            if (draining())
            {
                // A drain waits only for what already runs; a queued task runs after the restart.
                return;
            }
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            running[taskId] = cts;
            if (!store.TransitionTask(taskId, TaskState.Queued, TaskState.Running) || store.GetTask(taskId) is not { } task)
            {
                return;
            }
            var settings = options();
            var timeout = TimeSpan.FromMilliseconds(task.TimeoutMs ?? (long)settings.DefaultTimeout.TotalMilliseconds);
            ShellResult result;
            try
            {
                var variables = environment.For(Environment.GetEnvironmentVariables(), new Dictionary<string, string> { ["CLAWSHARP_TASK_ID"] = taskId });
                result = await ShellCommand.RunAsync(
                    new ShellRequest("task", taskId, task.Command, null, timeout, variables, settings.MaxOutputBytes, KeepLastStdout: true),
                    children, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Cancelled through Cancel (already recorded), or the gateway is stopping: the
                // task stays running in the store and recovery marks it lost (or requeues it).
                return;
            }
            var (status, error) = result switch
            {
                { TimedOut: true } => (TaskState.TimedOut, $"timed out after {timeout.TotalMilliseconds:F0} ms"),
                { ExitCode: 0 } => (TaskState.Succeeded, (string?)null),
                _ => (TaskState.Failed, $"exited with code {result.ExitCode}: {result.Stderr.Text.Trim()}"),
            };
            if (store.TransitionTask(taskId, TaskState.Running, status, result.ExitCode, result.Stdout.Text, error, result.Stdout.Truncated))
            {
                WorkLog.TaskEnded(logger, taskId, task.Label ?? task.Command, StatusNames.Of(status));
                if (result.Stdout.Truncated)
                {
                    WorkLog.TaskOutputTruncated(logger, taskId, result.Stdout.TotalBytes, settings.MaxOutputBytes);
                }
            }
        }
        finally
        {
            running.TryRemove(taskId, out _);
            slots.Release();
            changed();
        }
    }
}

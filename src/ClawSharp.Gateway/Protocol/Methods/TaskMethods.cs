using ClawSharp.Gateway.Storage;
using ClawSharp.Gateway.Work;

namespace ClawSharp.Gateway.Protocol.Methods;

/// <summary>
/// <c>tasks.create</c>, <c>tasks.list</c>, <c>tasks.get</c> and <c>tasks.cancel</c> (shapes as PROTOCOL.md).
/// Creating a task runs a shell command as the gateway's user, so it takes <c>operator.admin</c>.
/// </summary>
internal static class TaskMethods
{
    public static MethodRegistry AddTaskMethods(this MethodRegistry registry, WorkHost work, TimeProvider time) =>
        registry
            .Add(new MethodDescriptor("tasks.create", Scopes.Admin, (call, _) => ValueTask.FromResult(Create(work, call, time))))
            .Add(new MethodDescriptor("tasks.list", Scopes.Read, (call, _) => ValueTask.FromResult(List(work, call, time))))
            .Add(new MethodDescriptor("tasks.get", Scopes.Read, (call, _) => ValueTask.FromResult(Get(work, call, time))))
            .Add(new MethodDescriptor("tasks.cancel", Scopes.Write, (call, _) => ValueTask.FromResult(Cancel(work, call, time))));

    public static TaskItem ToItem(TaskRecord t, TimeProvider time) => new(
        t.TaskId, t.RunId, t.Runtime, t.Label, t.Title, t.Command, t.SessionKey, StatusNames.Of(t.Status), t.Restartable, t.TimeoutMs,
        t.ExitCode, t.Output, t.Error, t.CreatedAt, t.StartedAt, t.EndedAt,
        t.StartedAt is { } started ? (t.EndedAt ?? time.GetUtcNow().ToUnixTimeMilliseconds()) - started : null, t.OutputTruncated);

    private static MethodResult Create(WorkHost work, MethodCall call, TimeProvider time)
    {
        var reader = new ParamReader(call.Method, call.Params);
        var command = reader.String("command", required: true, 64 * 1024);
        var label = reader.String("label", required: false, 200);
        var title = reader.String("title", required: false, 2000);
        var sessionKey = reader.String("sessionKey", required: false, ChatMethods.MaxKeyBytes);
        var restartable = reader.Boolean("restartable");
        var timeoutMs = reader.Integer("timeoutMs", 1, int.MaxValue);
        if (reader.Error is not null)
        {
            return MethodResult.Fail(reader.Error);
        }
        if (work.Gate.IsDraining)
        {
            return MethodResult.Fail(ProtocolError.Draining());
        }
        var task = work.Tasks.Create(command!, label, title, sessionKey, restartable, timeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null);
        return MethodResult.Ok(new TaskGetResult(ToItem(task, time)), WorkJsonContext.Default.TaskGetResult);
    }

    private static MethodResult List(WorkHost work, MethodCall call, TimeProvider time)
    {
        var reader = new ParamReader(call.Method, call.Params);
        var statusText = reader.String("status", required: false, 32);
        var sessionKey = reader.String("sessionKey", required: false, ChatMethods.MaxKeyBytes);
        var limit = (int)(reader.Integer("limit", 1, 1000) ?? 100);
        var cursor = reader.String("cursor", required: false, 64);
        TaskState? status = null;
        if (statusText is not null)
        {
            if (StatusNames.TryParseTask(statusText, out var parsed))
            {
                status = parsed;
            }
            else
            {
                reader.Fail("status must be one of queued, running, succeeded, failed, timed_out, cancelled, lost");
            }
        }
        if (reader.Error is not null)
        {
            return MethodResult.Fail(reader.Error);
        }
        var page = work.Store.ListTasks(status, sessionKey, limit + 1, cursor);
        var items = page.Take(limit).Select(t => ToItem(t, time)).ToList();
        var next = page.Count > limit ? items[^1].TaskId : null;
        return MethodResult.Ok(new TasksListResult(items, next), WorkJsonContext.Default.TasksListResult);
    }

    private static MethodResult Get(WorkHost work, MethodCall call, TimeProvider time)
    {
        var reader = new ParamReader(call.Method, call.Params);
        var taskId = reader.String("taskId", required: true, 64);
        if (reader.Error is not null)
        {
            return MethodResult.Fail(reader.Error);
        }
        return work.Store.GetTask(taskId!) is { } task
            ? MethodResult.Ok(new TaskGetResult(ToItem(task, time)), WorkJsonContext.Default.TaskGetResult)
            : MethodResult.Fail(ProtocolError.Invalid($"unknown task: {taskId}"));
    }

    private static MethodResult Cancel(WorkHost work, MethodCall call, TimeProvider time)
    {
        var reader = new ParamReader(call.Method, call.Params);
        var taskId = reader.String("taskId", required: true, 64);
        var reason = reader.String("reason", required: false, 500);
        if (reader.Error is not null)
        {
            return MethodResult.Fail(reader.Error);
        }
        var cancelled = work.Tasks.Cancel(taskId!, reason ?? "cancelled by request");
        var task = work.Store.GetTask(taskId!);
        return MethodResult.Ok(new TaskCancelResult(task is not null, cancelled, task is null ? null : ToItem(task, time)),
            WorkJsonContext.Default.TaskCancelResult);
    }
}

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ClawSharp.Gateway.Protocol.Methods;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// The CLI's <c>--json</c> for send and tasks re-serializes the typed answer: it must be the
/// document the gateway wrote (same names, same order, nulls kept).
/// </summary>
public sealed class WorkPayloadRoundTripTests
{
    private static readonly TaskItem Task = new("task_1", "run_1", "exec", null, "a \"title\" é <x>", "echo hi", null, "running", true, 1000,
        null, null, null, 1, 2, null, 3, false);

    [Fact]
    public void TaskAnswers_RoundTripToTheSameDocument()
    {
        AssertRoundTrip(new TasksListResult([Task, Task with { TaskId = "task_2", Label = "l" }], null), WorkJsonContext.Default.TasksListResult);
        AssertRoundTrip(new TasksListResult([], "task_2"), WorkJsonContext.Default.TasksListResult);
        AssertRoundTrip(new TaskGetResult(Task), WorkJsonContext.Default.TaskGetResult);
        AssertRoundTrip(new TaskCancelResult(false, false, null), WorkJsonContext.Default.TaskCancelResult);
        AssertRoundTrip(new TaskCancelResult(true, true, Task), WorkJsonContext.Default.TaskCancelResult);
    }

    [Fact]
    public void SendAnswers_RoundTripToTheSameDocument()
    {
        AssertRoundTrip(new ChatSendAccepted("run_1", "msg_1", "main", "accepted", false), WorkJsonContext.Default.ChatSendAccepted);
        AssertRoundTrip(new ChatSendFinal("run_1", "msg_1", "main", "ok", "hello", null), WorkJsonContext.Default.ChatSendFinal);
        AssertRoundTrip(new ChatSendFinal("run_1", "msg_1", "main", "error", null, "bad"), WorkJsonContext.Default.ChatSendFinal);
    }

    private static void AssertRoundTrip<T>(T sent, JsonTypeInfo<T> type)
        where T : class
    {
        var wire = JsonSerializer.Serialize(sent, type);
        Assert.Equal(wire, JsonSerializer.Serialize(JsonSerializer.Deserialize(wire, type)!, type));
    }
}

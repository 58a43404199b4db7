namespace ClawSharp.Gateway.Storage;

/// <summary>The wire and database spelling of statuses: lower snake case.</summary>
internal static class StatusNames
{
    public static string Of(RunStatus status) => status.ToString().ToLowerInvariant();

    public static string Of(TaskState status) => status switch
    {
        TaskState.TimedOut => "timed_out",
        _ => status.ToString().ToLowerInvariant(),
    };

    public static RunStatus ParseRun(string text) => Enum.Parse<RunStatus>(text, ignoreCase: true);

    public static TaskState ParseTask(string text) => text == "timed_out" ? TaskState.TimedOut : Enum.Parse<TaskState>(text, ignoreCase: true);

    public static bool TryParseTask(string text, out TaskState state)
    {
        if (text == "timed_out")
        {
            state = TaskState.TimedOut;
            return true;
        }
        return Enum.TryParse(text, ignoreCase: true, out state) && text != "TimedOut" && !int.TryParse(text, out _);
    }

    public static bool IsEnded(TaskState state) => state is not (TaskState.Queued or TaskState.Running);
}

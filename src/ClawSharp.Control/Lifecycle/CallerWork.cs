namespace ClawSharp.Control.Lifecycle;

/// <summary>
/// The run or task a command runs inside, when an exec agent or a task of the gateway started it
/// (the gateway sets <c>CLAWSHARP_RUN_ID</c> / <c>CLAWSHARP_TASK_ID</c>). Such a caller must not wait
/// for a restart: the restart waits for its run.
/// </summary>
internal static class CallerWork
{
    /// <summary><c>run ID</c>, <c>task ID</c>, or null outside the gateway's work.</summary>
    public static string? Find(Func<string, string?> environment) =>
        environment("CLAWSHARP_RUN_ID") is { Length: > 0 } run ? $"run {run}"
        : environment("CLAWSHARP_TASK_ID") is { Length: > 0 } task ? $"task {task}"
        : null;
}

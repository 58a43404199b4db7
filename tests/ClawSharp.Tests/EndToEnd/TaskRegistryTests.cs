using System.Text.Json;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

public sealed class TaskRegistryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TaskRun_Succeeds_AndIsListedAndShown()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var created = await CliRun.RunAsync(home, "tasks", "run", "echo from-task", "--label", "greet", "--title", "say hello", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var taskId = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("task").GetProperty("taskId").GetString()!;

        await Eventually.AssertAsync(async () => (await Show(home, taskId)).GetProperty("status").GetString() == "succeeded", Deadline, "task to succeed");
        var task = await Show(home, taskId);
        Assert.Equal("from-task\n", task.GetProperty("output").GetString());
        Assert.Equal(0, task.GetProperty("exitCode").GetInt32());
        Assert.Equal("greet", task.GetProperty("label").GetString());
        Assert.True(task.GetProperty("runtimeMs").GetInt64() >= 0);

        var list = await CliRun.RunAsync(home, "tasks", "list");
        Assert.Contains(taskId, list.Stdout);
        Assert.Contains("succeeded", list.Stdout);
        var filtered = JsonDocument.Parse((await CliRun.RunAsync(home, "tasks", "list", "--status", "failed", "--json")).Stdout);
        Assert.Equal(0, filtered.RootElement.GetProperty("tasks").GetArrayLength());
    }

    [Fact]
    public async Task CancellingARunningTask_KillsIt_AndCountsAsEnded()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var taskId = await Start(home, "sleep 60");
        await Eventually.AssertAsync(async () => (await Show(home, taskId)).GetProperty("status").GetString() == "running", Deadline, "task to run");
        Assert.Equal(1, (await Work(home)).GetProperty("activeTasks").GetInt32());

        var cancel = await CliRun.RunAsync(home, "tasks", "cancel", taskId, "--reason", "enough");

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        var task = await Show(home, taskId);
        Assert.Equal("cancelled", task.GetProperty("status").GetString());
        Assert.Equal("enough", task.GetProperty("error").GetString());
        await Eventually.AssertAsync(async () => (await Work(home)).GetProperty("activeTasks").GetInt32() == 0, Deadline, "no active task");
        var again = await CliRun.RunAsync(home, "tasks", "cancel", taskId);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("has already ended (cancelled)", again.Stderr);
        var unknown = await CliRun.RunAsync(home, "tasks", "cancel", "task_nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no task task_nope", unknown.Stderr);
    }

    [Fact]
    public async Task FailingAndTimedOutTasks_RecordWhy()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var failing = await Start(home, "echo oops >&2; exit 4");
        var slow = await Start(home, "sleep 30", "--task-timeout", "500ms");

        await Eventually.AssertAsync(async () => (await Show(home, failing)).GetProperty("status").GetString() == "failed", Deadline, "failed task");
        await Eventually.AssertAsync(async () => (await Show(home, slow)).GetProperty("status").GetString() == "timed_out", Deadline, "timed-out task");
        Assert.Equal("exited with code 4: oops", (await Show(home, failing)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task TasksRunningWhenTheGatewayDies_AreLost_OrQueuedAgainWhenRestartable()
    {
        using var home = new TempHome();
        string lost, again;
        const string Marker = "sleep 60.4242";
        try
        {
            await LoseAndRequeueAsync();
        }
        finally
        {
            StrayProcesses.Kill(Marker);
        }

        async Task LoseAndRequeueAsync()
        {
            await using (var gateway = await GatewayProcess.StartGatewayAsync(home))
            {
                lost = await Start(home, Marker);
                // Long enough to be seen running on a loaded machine before the kill.
                again = await Start(home, "sleep 4; echo second-life", "--restartable");
                await Eventually.AssertAsync(async () => (await Work(home)).GetProperty("activeTasks").GetInt32() == 2, Deadline, "both tasks running");
                gateway.Signal(9);
                await gateway.WaitForExitAsync();
            }
            await using var restarted = await GatewayProcess.StartGatewayAsync(home);

            Assert.Equal("lost", (await Show(home, lost)).GetProperty("status").GetString());
            await Eventually.AssertAsync(async () => (await Show(home, again)).GetProperty("status").GetString() == "succeeded", Deadline, "restartable task to run again");
            Assert.Contains("1 task(s) lost, 1 requeued", restarted.Stdout.Text);
        }
    }

    private static async Task<string> Start(TempHome home, string command, params string[] extra)
    {
        var result = await CliRun.RunAsync(home, ["tasks", "run", command, "--json", .. extra]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("task").GetProperty("taskId").GetString()!;
    }

    private static async Task<JsonElement> Show(TempHome home, string taskId)
    {
        var result = await CliRun.RunAsync(home, "tasks", "show", taskId, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("task");
    }

    private static async Task<JsonElement> Work(TempHome home) =>
        (await CliRun.CallAsync(home, "status")).GetProperty("work");
}

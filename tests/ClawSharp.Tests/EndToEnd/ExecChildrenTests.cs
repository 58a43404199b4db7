using System.Globalization;
using System.Text.Json;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// What exec agents and tasks may do to the gateway and the machine (issue 21 items 4, 7, 12):
/// their output is read into bounded buffers, they see an allowlisted environment, and
/// nothing they start outlives them or a gateway killed with -9.
/// </summary>
public sealed class ExecChildrenTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ExecAgent_PrintingFarMoreThanTheCap_KeepsTheGatewaySmall_AndTheReplySaysItWasCut()
    {
        using var home = new TempHome();
        // 300 MB: read whole into a string (UTF-16) that is well over 600 MB of heap.
        home.WriteConfig("""
            { "agents": { "default": "exec", "exec": { "command": "cat >/dev/null; yes | head -c 300000000", "timeoutMs": 120000, "maxReplyBytes": 65536 } } }
            """);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var reply = await CliRun.RunAsync(home, "send", "flood", "--session", "big", "--wait");

        Assert.True(reply.ExitCode == 0, reply.ToString());
        Assert.Contains("[reply truncated: the exec agent wrote 300000000 bytes, the first 65536 are kept (agents.exec.maxReplyBytes)]", reply.Stdout);
        Assert.True(reply.Stdout.Length < 70_000, $"reply of {reply.Stdout.Length} chars");
        var peakKb = PeakRssKb(gateway.Pid);
        Assert.True(peakKb < 300_000, $"gateway peak RSS {peakKb} kB");
    }

    [Fact]
    public async Task Task_PrintingLots_KeepsTheLastBytes_SaysTruncated_AndSucceeds()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "tasks": { "maxOutputBytes": 4096 } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var taskId = await StartTask(home, "yes | head -c 20000000; echo the-end");

        await Eventually.AssertAsync(async () => (await ShowTask(home, taskId)).GetProperty("status").GetString() == "succeeded", Deadline, "task to succeed");
        var task = await ShowTask(home, taskId);
        Assert.True(task.GetProperty("outputTruncated").GetBoolean());
        var output = task.GetProperty("output").GetString()!;
        Assert.True(output.Length <= 4096, $"output of {output.Length} chars");
        Assert.EndsWith("y\nthe-end\n", output);
        var small = await StartTask(home, "echo small");
        await Eventually.AssertAsync(async () => (await ShowTask(home, small)).GetProperty("status").GetString() == "succeeded", Deadline, "small task");
        Assert.False((await ShowTask(home, small)).GetProperty("outputTruncated").GetBoolean());
    }

    [Fact]
    public async Task ExecAgentsAndTasks_SeeOnlyTheAllowlistedEnvironment_NeverTheProviderKey()
    {
        using var home = new TempHome();
        home.WriteConfig("""
            { "agents": { "default": "exec", "exec": { "command": "cat >/dev/null; env" } },
              "tasks": { "environment": ["PATH", "PLANTED_*", "OPENAI_API_KEY"] } }
            """);
        var environment = new Dictionary<string, string>
        {
            ["OPENAI_API_KEY"] = "sk-should-never-leak",
            ["PLANTED_SECRET"] = "planted-value",
        };
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: environment);

        var reply = await CliRun.RunAsync(home, "send", "env please", "--session", "env", "--wait");
        Assert.True(reply.ExitCode == 0, reply.ToString());
        Assert.Contains("PATH=", reply.Stdout);
        Assert.Contains("CLAWSHARP_RUN_ID=", reply.Stdout);
        Assert.DoesNotContain("sk-should-never-leak", reply.Stdout);
        Assert.DoesNotContain("planted-value", reply.Stdout);

        // A task's allowlist lets the planted variable through, but never the provider key, even when listed.
        var taskId = await StartTask(home, "env");
        await Eventually.AssertAsync(async () => (await ShowTask(home, taskId)).GetProperty("status").GetString() == "succeeded", Deadline, "env task");
        var output = (await ShowTask(home, taskId)).GetProperty("output").GetString()!;
        Assert.Contains("PLANTED_SECRET=planted-value", output);
        Assert.Contains("PATH=", output);
        Assert.DoesNotContain("sk-should-never-leak", output);
        Assert.DoesNotContain(output.Split('\n'), line => line.StartsWith("HOME=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CancellingATask_EndsWhatItStarted_EvenAReparentedGrandchild()
    {
        using var home = new TempHome();
        var marker = UniqueSleep();
        try
        {
            await using var gateway = await GatewayProcess.StartGatewayAsync(home);
            // The subshell exits at once: its sleep is reparented, outside the task's process tree.
            var taskId = await StartTask(home, $"({marker} &); sleep 600");
            await Eventually.AssertAsync(() => Sleeping(marker).Count == 1, Deadline, "the grandchild to run");

            var cancel = await CliRun.RunAsync(home, "tasks", "cancel", taskId);

            Assert.True(cancel.ExitCode == 0, cancel.ToString());
            await Eventually.AssertAsync(() => Sleeping(marker).Count == 0, Deadline, "the grandchild to be ended");
        }
        finally
        {
            StrayProcesses.Kill(marker);
        }
    }

    [Fact]
    public async Task ATaskThatSurvivesAKilledGateway_IsEndedByTheNextStart_BeforeItsRestartableTaskRunsAgain()
    {
        using var home = new TempHome();
        var marker = UniqueSleep();
        var copies = home.PathOf("copies");
        try
        {
            ProcessIdentity? first;
            await using (var gateway = await GatewayProcess.StartGatewayAsync(home))
            {
                await StartTask(home, $"echo $$ >> '{copies}'; {marker}", "--restartable");
                await Eventually.AssertAsync(() => Sleeping(marker).Count == 1, Deadline, "the task to run");
                first = ProcessIdentity.Of(Sleeping(marker)[0]);
                gateway.Signal(Posix.SIGKILL);
                await gateway.WaitForExitAsync();
            }
            // A foreground gateway killed with -9 cannot end it: the next start must.
            Assert.NotNull(first);
            Assert.Equal(ProcessMatch.Same, ProcessIdentity.Check(first.Pid, first.StartTime));

            await using var restarted = await GatewayProcess.StartGatewayAsync(home);

            await Eventually.AssertAsync(() => ProcessIdentity.Check(first.Pid, first.StartTime) == ProcessMatch.Dead, Deadline, "the first copy to be ended");
            await Eventually.AssertAsync(() => File.ReadAllLines(copies).Length == 2, Deadline, "the task to run again");
            await Eventually.AssertAsync(() => Sleeping(marker).Count == 1, Deadline, "one copy running");
            await Steadily.HoldsAsync(() => Task.FromResult(Sleeping(marker).Count == 1), TimeSpan.FromSeconds(1), "only one copy running");
            Assert.Contains("process(es) left by the task", restarted.Stdout.Text + restarted.Stderr.Text);
        }
        finally
        {
            StrayProcesses.Kill(marker);
        }
    }

    /// <summary>The sleeps themselves, not the shells whose command line names them.</summary>
    private static List<int> Sleeping(string marker) =>
        [.. StrayProcesses.Find(marker).Where(pid => ProcessIdentity.CommandLine(pid)?.StartsWith(marker, StringComparison.Ordinal) == true)];

    private static string UniqueSleep() => $"sleep 900.{Random.Shared.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture)}";

    private static long PeakRssKb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static async Task<string> StartTask(TempHome home, string command, params string[] extra)
    {
        var result = await CliRun.RunAsync(home, ["tasks", "run", command, "--json", .. extra]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("task").GetProperty("taskId").GetString()!;
    }

    private static async Task<JsonElement> ShowTask(TempHome home, string taskId)
    {
        var result = await CliRun.RunAsync(home, "tasks", "show", taskId, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("task");
    }
}

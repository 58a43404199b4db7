using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ClawSharp.Cli.Options;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Protocol.Methods;

namespace ClawSharp.Cli.Commands;

/// <summary><c>clawsharp tasks list|show|cancel|run</c>: the durable background task registry.</summary>
internal static class TasksCommand
{
    private static readonly ClientOptions Client = new(TimeSpan.FromSeconds(10), "How long to wait for the answer (default 10s)");

    public static Command Build()
    {
        var tasks = new Command("tasks", "List, show, cancel and start background tasks.");
        tasks.Subcommands.Add(List());
        tasks.Subcommands.Add(Show());
        tasks.Subcommands.Add(Cancel());
        tasks.Subcommands.Add(Run());
        return tasks;
    }

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "queued, running, succeeded, failed, timed_out, cancelled or lost", HelpName = "STATUS" };
        var session = new Option<string?>("--session") { Description = "Only tasks of this session", HelpName = "KEY" };
        var limit = new Option<int?>("--limit") { Description = "At most N tasks (1-1000, default 100)", HelpName = "N" };
        var command = new Command("list", "List tasks, newest first.") { status, session, limit };
        Client.AddOptionsTo(command);
        command.SetAction((parse, ct) => Client.RunAsync(parse, ct, async (client, token) =>
        {
            var result = await client.TasksListAsync(parse.GetValue(status), parse.GetValue(session), parse.GetValue(limit), token).ConfigureAwait(false);
            if (parse.GetValue(Client.Json))
            {
                CliOutput.WriteJson(w => JsonSerializer.Serialize(w, result, WorkJsonContext.Default.TasksListResult));
                return 0;
            }
            if (result.Tasks.Count == 0)
            {
                Console.Out.WriteLine("no tasks");
                return 0;
            }
            Console.Out.WriteLine($"{"TASK",-26} {"STATUS",-10} {"RUNTIME",-9} LABEL");
            foreach (var task in result.Tasks)
            {
                Console.Out.WriteLine($"{task.TaskId,-26} {task.Status,-10} {Runtime(task),-9} {task.Label ?? task.Command}");
            }
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("task-id") { Description = "The task id" };
        var command = new Command("show", "Show one task.") { id };
        Client.AddOptionsTo(command);
        command.SetAction((parse, ct) => Client.RunAsync(parse, ct, async (client, token) =>
        {
            var result = await client.TaskGetAsync(parse.GetValue(id)!, token).ConfigureAwait(false);
            PrintTask(result, parse.GetValue(Client.Json));
            return 0;
        }));
        return command;
    }

    private static Command Cancel()
    {
        var id = new Argument<string>("task-id") { Description = "The task id" };
        var reason = new Option<string?>("--reason") { Description = "Why, recorded with the task", HelpName = "TEXT" };
        var command = new Command("cancel", "Cancel a queued or running task.") { id, reason };
        Client.AddOptionsTo(command);
        command.SetAction((parse, ct) => Client.RunAsync(parse, ct, async (client, token) =>
        {
            var result = await client.TaskCancelAsync(parse.GetValue(id)!, parse.GetValue(reason), token).ConfigureAwait(false);
            if (parse.GetValue(Client.Json))
            {
                CliOutput.WriteJson(w => JsonSerializer.Serialize(w, result, WorkJsonContext.Default.TaskCancelResult));
            }
            if (!result.Found)
            {
                return CliOutput.Fail(ExitCode.Failure, $"no task {parse.GetValue(id)}; see 'clawsharp tasks list'");
            }
            if (!result.Cancelled)
            {
                return CliOutput.Fail(ExitCode.Failure, $"task {parse.GetValue(id)} has already ended ({result.Task?.Status})");
            }
            if (!parse.GetValue(Client.Json))
            {
                Console.Out.WriteLine($"cancelled {parse.GetValue(id)}");
            }
            return 0;
        }));
        return command;
    }

    private static Command Run()
    {
        var shell = new Argument<string>("command") { Description = "Shell command to run in the background (/bin/sh -c)" };
        var label = new Option<string?>("--label") { Description = "Short label", HelpName = "TEXT" };
        var title = new Option<string?>("--title") { Description = "Longer title", HelpName = "TEXT" };
        var restartable = new Option<bool>("--restartable") { Description = "Queue it again if the gateway dies while it runs" };
        var limit = CliOptions.Duration("--task-timeout", "How long the task may run (default tasks.defaultTimeoutMs)");
        var command = new Command("run", "Start a background task.") { shell, label, title, restartable, limit };
        Client.AddOptionsTo(command);
        command.SetAction((parse, ct) => Client.RunAsync(parse, ct, async (client, token) =>
        {
            var result = await client.TaskCreateAsync(parse.GetValue(shell)!, parse.GetValue(label), parse.GetValue(title), parse.GetValue(restartable),
                parse.GetValue(limit), token).ConfigureAwait(false);
            PrintTask(result, parse.GetValue(Client.Json));
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// With <paramref name="json"/> the whole answer; else one line per field of the task the
    /// gateway sent a value for, under its wire name and in its wire order (the source-generated
    /// contract of <see cref="TaskItem"/>, so a field added there shows up here).
    /// </summary>
    private static void PrintTask(TaskGetResult result, bool json)
    {
        if (json)
        {
            CliOutput.WriteJson(w => JsonSerializer.Serialize(w, result, WorkJsonContext.Default.TaskGetResult));
            return;
        }
        foreach (var property in WorkJsonContext.Default.TaskItem.Properties)
        {
            if (property.Get?.Invoke(result.Task) is { } value)
            {
                Console.Out.WriteLine($"{property.Name + ":",-13} {Convert.ToString(value, CultureInfo.InvariantCulture)}");
            }
        }
    }

    private static string Runtime(TaskItem task) =>
        task.RuntimeMs is { } ms ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000.0:F1}s") : "-";
}

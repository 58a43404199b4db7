using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ClawSharp.Cli.Options;
using ClawSharp.Gateway;

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
            var result = await client.CallAsync("tasks.list", w =>
            {
                w.WriteStartObject();
                if (parse.GetValue(status) is { } s)
                {
                    w.WriteString("status", s);
                }
                if (parse.GetValue(session) is { } k)
                {
                    w.WriteString("sessionKey", k);
                }
                if (parse.GetValue(limit) is { } n)
                {
                    w.WriteNumber("limit", n);
                }
                w.WriteEndObject();
            }, token).ConfigureAwait(false);
            if (parse.GetValue(Client.Json))
            {
                CliOutput.WriteJson(result);
                return 0;
            }
            var rows = result.GetProperty("tasks").EnumerateArray().ToList();
            if (rows.Count == 0)
            {
                Console.Out.WriteLine("no tasks");
                return 0;
            }
            Console.Out.WriteLine($"{"TASK",-26} {"STATUS",-10} {"RUNTIME",-9} LABEL");
            foreach (var task in rows)
            {
                Console.Out.WriteLine($"{task.GetProperty("taskId").GetString(),-26} {task.GetProperty("status").GetString(),-10} {Runtime(task),-9} {Label(task)}");
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
            var result = await client.CallAsync("tasks.get", w =>
            {
                w.WriteStartObject();
                w.WriteString("taskId", parse.GetValue(id));
                w.WriteEndObject();
            }, token).ConfigureAwait(false);
            PrintTask(result.GetProperty("task"), parse.GetValue(Client.Json) ? result : null);
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
            var result = await client.CallAsync("tasks.cancel", w =>
            {
                w.WriteStartObject();
                w.WriteString("taskId", parse.GetValue(id));
                if (parse.GetValue(reason) is { } r)
                {
                    w.WriteString("reason", r);
                }
                w.WriteEndObject();
            }, token).ConfigureAwait(false);
            if (parse.GetValue(Client.Json))
            {
                CliOutput.WriteJson(result);
            }
            if (!result.GetProperty("found").GetBoolean())
            {
                return CliOutput.Fail(ExitCode.Failure, $"no task {parse.GetValue(id)}; see 'clawsharp tasks list'");
            }
            if (!result.GetProperty("cancelled").GetBoolean())
            {
                return CliOutput.Fail(ExitCode.Failure,
                    $"task {parse.GetValue(id)} has already ended ({result.GetProperty("task").GetProperty("status").GetString()})");
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
            var result = await client.CallAsync("tasks.create", w =>
            {
                w.WriteStartObject();
                w.WriteString("command", parse.GetValue(shell));
                if (parse.GetValue(label) is { } l)
                {
                    w.WriteString("label", l);
                }
                if (parse.GetValue(title) is { } t)
                {
                    w.WriteString("title", t);
                }
                w.WriteBoolean("restartable", parse.GetValue(restartable));
                if (parse.GetValue(limit) is { } d)
                {
                    w.WriteNumber("timeoutMs", (long)d.TotalMilliseconds);
                }
                w.WriteEndObject();
            }, token).ConfigureAwait(false);
            PrintTask(result.GetProperty("task"), parse.GetValue(Client.Json) ? result : null);
            return 0;
        }));
        return command;
    }

    private static void PrintTask(JsonElement task, JsonElement? asJson)
    {
        if (asJson is { } json)
        {
            CliOutput.WriteJson(json);
            return;
        }
        foreach (var property in task.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null))
        {
            Console.Out.WriteLine($"{property.Name + ":",-13} {property.Value}");
        }
    }

    private static string Runtime(JsonElement task) =>
        task.TryGetProperty("runtimeMs", out var ms) && ms.ValueKind == JsonValueKind.Number
            ? string.Create(CultureInfo.InvariantCulture, $"{ms.GetInt64() / 1000.0:F1}s")
            : "-";

    private static string Label(JsonElement task) =>
        task.TryGetProperty("label", out var label) && label.ValueKind == JsonValueKind.String ? label.GetString()! : task.GetProperty("command").GetString()!;
}

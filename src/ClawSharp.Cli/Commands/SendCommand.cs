using System.CommandLine;
using System.Text.Json;
using ClawSharp.Cli.Options;
using ClawSharp.Control.Client;
using ClawSharp.Gateway;

namespace ClawSharp.Cli.Commands;

/// <summary><c>clawsharp send TEXT</c>: sends a message to a session; with <c>--wait</c>, prints the reply.</summary>
internal static class SendCommand
{
    private static readonly Argument<string> Text = new("text") { Description = "The message" };

    private static readonly Option<string> Session = new("--session")
    {
        Description = "Session key (default: main)",
        HelpName = "KEY",
        DefaultValueFactory = _ => "main",
    };

    private static readonly Option<bool> Wait = new("--wait") { Description = "Wait for the reply and print it" };

    private static readonly Option<string?> IdempotencyKey = new("--idempotency-key")
    {
        Description = "Sending the same key again returns the first message instead of a new one (default: a fresh key)",
        HelpName = "KEY",
    };

    private static readonly Option<string?> Agent = new("--agent")
    {
        Description = "Agent for a new session: echo, exec or openai (default: agents.default of the config)",
        HelpName = "NAME",
    };

    private static readonly ClientOptions Client = new(TimeSpan.FromMinutes(2), "How long to wait (default 2m)");

    public static Command Build()
    {
        var command = new Command("send", "Send a message to a session (prints the ids, or the reply with --wait).")
        {
            Text, Session, Wait, IdempotencyKey, Agent,
        };
        Client.AddOptionsTo(command);
        command.SetAction((parse, cancellationToken) => Client.RunAsync(parse, cancellationToken, (client, token) => SendAsync(parse, client, token)));
        return command;
    }

    private static async Task<int> SendAsync(ParseResult parse, GatewayClient client, CancellationToken cancellationToken)
    {
        var wait = parse.GetValue(Wait);
        var json = parse.GetValue(Client.Json);
        var key = parse.GetValue(IdempotencyKey) ?? Guid.NewGuid().ToString("N");
        var accepted = await client.CallAsync("chat.send", writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("sessionKey", parse.GetValue(Session));
            writer.WriteString("message", parse.GetValue(Text));
            writer.WriteString("idempotencyKey", key);
            if (parse.GetValue(Agent) is { } agent)
            {
                writer.WriteString("agent", agent);
            }
            if (wait)
            {
                writer.WriteBoolean("expectFinal", true);
            }
            writer.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
        if (!wait)
        {
            if (json)
            {
                CliOutput.WriteJson(accepted);
            }
            else
            {
                Console.Out.WriteLine($"accepted: message {accepted.GetProperty("messageId").GetString()}, run {accepted.GetProperty("runId").GetString()}");
            }
            return (int)ExitCode.Success;
        }
        var final = await client.ReceiveFinalAsync(cancellationToken).ConfigureAwait(false);
        var ok = final.GetProperty("status").GetString() == "ok";
        if (json)
        {
            CliOutput.WriteJson(final);
        }
        else if (ok)
        {
            Console.Out.WriteLine(final.GetProperty("reply").GetString());
        }
        if (!ok)
        {
            var error = final.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            return CliOutput.Fail(ExitCode.Failure, $"run {final.GetProperty("status").GetString()}: {error}");
        }
        return (int)ExitCode.Success;
    }
}

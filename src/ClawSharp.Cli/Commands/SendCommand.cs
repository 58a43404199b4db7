using System.CommandLine;
using System.Text.Json;
using ClawSharp.Cli.Options;
using ClawSharp.Control.Client;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Protocol.Methods;

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
        var json = parse.GetValue(Client.Json);
        var session = parse.GetValue(Session)!;
        var text = parse.GetValue(Text)!;
        var key = parse.GetValue(IdempotencyKey) ?? Guid.NewGuid().ToString("N");
        var agent = parse.GetValue(Agent);
        if (!parse.GetValue(Wait))
        {
            var accepted = await client.SendAsync(session, text, key, agent, cancellationToken).ConfigureAwait(false);
            if (json)
            {
                CliOutput.WriteJson(w => JsonSerializer.Serialize(w, accepted, WorkJsonContext.Default.ChatSendAccepted));
            }
            else
            {
                Console.Out.WriteLine($"accepted: message {accepted.MessageId}, run {accepted.RunId}");
            }
            return (int)ExitCode.Success;
        }
        var final = await client.SendAndWaitAsync(session, text, key, agent, cancellationToken).ConfigureAwait(false);
        var ok = final.Status == "ok";
        if (json)
        {
            CliOutput.WriteJson(w => JsonSerializer.Serialize(w, final, WorkJsonContext.Default.ChatSendFinal));
        }
        else if (ok)
        {
            Console.Out.WriteLine(final.Reply);
        }
        return ok ? (int)ExitCode.Success : CliOutput.Fail(ExitCode.Failure, $"run {final.Status}: {final.Error}");
    }
}

using System.CommandLine;
using System.Text.Json;
using ClawSharp.Cli.Options;
using ClawSharp.Gateway;

namespace ClawSharp.Cli.Commands;

/// <summary><c>clawsharp gateway call METHOD</c>: one RPC over the control protocol; prints the payload as JSON.</summary>
internal static class GatewayCallCommand
{
    private static readonly Argument<string> Method = new("method") { Description = "Method name, e.g. health, status" };

    private static readonly Option<string?> Params = new("--params")
    {
        Description = "Request params as a JSON object",
        HelpName = "JSON",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    return text;
                }
            }
            catch (JsonException)
            {
            }
            result.AddError($"invalid --params: expected a JSON object, e.g. '{{\"key\":\"value\"}}', got {text}");
            return null;
        },
    };

    private static readonly ClientOptions Client = new(TimeSpan.FromSeconds(10), "How long to wait for the answer (default 10s)");

    public static Command Build()
    {
        var command = new Command("call", "Call a control-protocol method once and print the result.") { Method, Params };
        Client.AddOptionsTo(command);
        command.SetAction((parse, cancellationToken) => Client.RunAsync(parse, cancellationToken, async (client, token) =>
        {
            using var document = parse.GetValue(Params) is { } text ? JsonDocument.Parse(text) : null;
            var payload = await client.CallAsync(parse.GetValue(Method)!, document?.RootElement, token).ConfigureAwait(false);
            CliOutput.WriteJson(payload);
            return (int)ExitCode.Success;
        }));
        return command;
    }
}

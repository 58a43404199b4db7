using System.CommandLine;
using System.Text.Json;
using ClawSharp.Cli.Client;
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

    private static readonly Option<string?> Url = new("--url")
    {
        Description = "Gateway URL, e.g. ws://127.0.0.1:18790 (default: found from the state directory)",
        HelpName = "URL",
    };

    private static readonly Option<string?> Token = new("--token")
    {
        Description = "Token (default: config.json or the token file of the state directory)",
        HelpName = "TOKEN",
    };

    private static readonly Option<string?> PasswordFile = new("--password-file")
    {
        Description = "Read the gateway password from FILE",
        HelpName = "FILE",
    };

    private static readonly Option<TimeSpan?> Timeout = CliOptions.Duration("--timeout", "How long to wait for the answer (default 10s)");

    private static readonly Option<bool> Json = new("--json") { Description = "Print the response payload alone, as JSON" };

    public static Command Build()
    {
        var command = new Command("call", "Call a control-protocol method once and print the result.")
        {
            Method, Params, Url, Token, PasswordFile, Timeout, Json,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = parse.GetValue(Timeout) ?? TimeSpan.FromSeconds(10);
        if (limit > TimeSpan.Zero)
        {
            timeout.CancelAfter(limit);
        }
        try
        {
            var target = GatewayTarget.Resolve(GlobalOptions.ResolveState(parse), parse.GetValue(Url), parse.GetValue(Token), parse.GetValue(PasswordFile));
            await using var client = await GatewayClient.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
            JsonElement? parameters = null;
            using var document = parse.GetValue(Params) is { } text ? JsonDocument.Parse(text) : null;
            parameters = document?.RootElement;
            var payload = await client.CallAsync(parse.GetValue(Method)!, parameters, timeout.Token).ConfigureAwait(false);
            CliOutput.WriteJson(payload);
            return (int)ExitCode.Success;
        }
        catch (GatewayCallException e)
        {
            return CliOutput.Fail(ExitCode.Failure, $"{e.Code}: {e.Message}");
        }
        catch (ArgumentException e)
        {
            return CliOutput.Fail(ExitCode.Usage, e.Message);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return CliOutput.Fail(ExitCode.Failure, $"TIMEOUT: no answer within {limit.TotalMilliseconds:F0} ms");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UriFormatException)
        {
            return CliOutput.Fail(ExitCode.Failure, e.Message);
        }
    }
}

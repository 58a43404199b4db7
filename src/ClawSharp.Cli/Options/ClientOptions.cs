using System.CommandLine;
using ClawSharp.Cli.Client;
using ClawSharp.Gateway;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// What every command that talks to a running gateway shares: the connection options
/// (<c>--url</c>, <c>--token</c>, <c>--password-file</c>, <c>--timeout</c>), finding the
/// gateway from the state directory, and turning failures into one stderr line and an exit code.
/// </summary>
internal sealed class ClientCommand
{
    private readonly Option<string?> url = new("--url")
    {
        Description = "Gateway URL, e.g. ws://127.0.0.1:18790 (default: found from the state directory)",
        HelpName = "URL",
    };

    private readonly Option<string?> token = new("--token")
    {
        Description = "Token (default: config.json or the token file of the state directory)",
        HelpName = "TOKEN",
    };

    private readonly Option<string?> passwordFile = new("--password-file")
    {
        Description = "Read the gateway password from FILE",
        HelpName = "FILE",
    };

    private readonly Option<TimeSpan?> timeout;
    private readonly TimeSpan defaultTimeout;

    public ClientCommand(TimeSpan defaultTimeout, string timeoutDescription)
    {
        this.defaultTimeout = defaultTimeout;
        timeout = CliOptions.Duration("--timeout", timeoutDescription);
    }

    public Option<TimeSpan?> Timeout => timeout;

    public Option<bool> Json { get; } = new("--json") { Description = "Print the result as JSON alone on stdout" };

    public void AddOptionsTo(Command command)
    {
        command.Options.Add(url);
        command.Options.Add(token);
        command.Options.Add(passwordFile);
        command.Options.Add(timeout);
        command.Options.Add(Json);
    }

    /// <summary>Connects, runs <paramref name="body"/> with the client, and maps every failure to an exit code.</summary>
    public async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken, Func<GatewayClient, CancellationToken, Task<int>> body)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var budget = parse.GetValue(timeout) ?? defaultTimeout;
        if (budget > TimeSpan.Zero)
        {
            limit.CancelAfter(budget);
        }
        try
        {
            var target = GatewayTarget.Resolve(GlobalOptions.ResolveState(parse), parse.GetValue(url), parse.GetValue(token), parse.GetValue(passwordFile));
            await using var client = await GatewayClient.ConnectAsync(target, limit.Token).ConfigureAwait(false);
            return await body(client, limit.Token).ConfigureAwait(false);
        }
        catch (GatewayCallException e)
        {
            return CliOutput.Fail(ExitCode.Failure, $"{e.Code}: {e.Message}");
        }
        catch (ArgumentException e)
        {
            return CliOutput.Fail(ExitCode.Usage, e.Message);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return CliOutput.Fail(ExitCode.Failure, $"TIMEOUT: no answer within {budget.TotalMilliseconds:F0} ms (raise it with --timeout)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UriFormatException)
        {
            return CliOutput.Fail(ExitCode.Failure, e.Message);
        }
    }
}

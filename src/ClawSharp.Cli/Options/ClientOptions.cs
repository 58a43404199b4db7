using System.CommandLine;
using ClawSharp.Control.Client;
using ClawSharp.Control.Lifecycle;
using ClawSharp.Gateway;

namespace ClawSharp.Cli.Options;

/// <summary>
/// What every command that talks to a running gateway shares: the connection options
/// (<c>--url</c>, <c>--token</c>, <c>--password-file</c>, <c>--timeout</c>, <c>--json</c>), finding
/// the gateway from the state directory, and turning failures into one stderr line and an exit code.
/// </summary>
internal sealed class ClientOptions
{
    private readonly Option<string?> url = new("--url")
    {
        Description = "Gateway URL, e.g. ws://127.0.0.1:18790 (default: found from the state directory)",
        HelpName = "URL",
    };

    private readonly Option<string?> token = new("--token")
    {
        Description = "Token (default, for this home's own gateway only: config.json or the token file of the state directory). Shows in 'ps': prefer --token-file",
        HelpName = "TOKEN",
    };

    private readonly Option<string?> tokenFile = new("--token-file")
    {
        Description = "Read the token from FILE (yours, mode 600): needed for a --url that is not this home's gateway",
        HelpName = "FILE",
    };

    private readonly Option<string?> tlsCa = new("--tls-ca")
    {
        Description = "For a wss:// gateway: trust the certificates in this PEM file (a CA, or the gateway's own certificate) besides the system's store",
        HelpName = "FILE",
    };

    private readonly Option<string?> passwordFile = new("--password-file")
    {
        Description = "Read the gateway password from FILE",
        HelpName = "FILE",
    };

    private readonly Option<TimeSpan?> timeout;
    private readonly TimeSpan defaultTimeout;
    private readonly Option<TimeSpan?>? drainCap;

    /// <param name="defaultTimeout">The budget without <c>--timeout</c>.</param>
    /// <param name="timeoutDescription">The help text of <c>--timeout</c>.</param>
    /// <param name="drainCap">An option whose value the gateway may spend draining first (<c>restart --wait</c>): added to the budget.</param>
    public ClientOptions(TimeSpan defaultTimeout, string timeoutDescription, Option<TimeSpan?>? drainCap = null)
    {
        this.defaultTimeout = defaultTimeout;
        this.drainCap = drainCap;
        timeout = CliOptions.Duration("--timeout", timeoutDescription);
    }

    public Option<TimeSpan?> Timeout => timeout;

    public Option<bool> Json { get; } = new("--json") { Description = "Print the result as JSON alone on stdout" };

    public void AddOptionsTo(Command command)
    {
        command.Options.Add(url);
        command.Options.Add(token);
        command.Options.Add(tokenFile);
        command.Options.Add(tlsCa);
        command.Options.Add(passwordFile);
        command.Options.Add(timeout);
        command.Options.Add(Json);
    }

    /// <summary>How long the command may take (<see cref="ControlBudget.Of"/>): <c>--timeout</c> or the default, plus the drain cap.</summary>
    public TimeSpan Budget(ParseResult parse) =>
        ControlBudget.Of(parse.GetValue(timeout), defaultTimeout, drainCap is null ? null : parse.GetValue(drainCap));

    /// <summary>Connects, runs <paramref name="body"/> with the client within <see cref="Budget"/>, and maps every failure to an exit code.</summary>
    public Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken, Func<GatewayClient, CancellationToken, Task<int>> body) =>
        GuardAsync(parse, cancellationToken, async (target, token) =>
        {
            await using var client = await GatewayClient.ConnectAsync(target(), token).ConfigureAwait(false);
            return await body(client, token).ConfigureAwait(false);
        });

    /// <summary>
    /// Runs <paramref name="body"/> with a way to find the gateway (resolved only when called),
    /// and maps every failure to an exit code. The token ends at <see cref="Budget"/>, unless
    /// <paramref name="bodyOwnsBudget"/> (then the body enforces it and says what ran out).
    /// </summary>
    public async Task<int> GuardAsync(ParseResult parse, CancellationToken cancellationToken, Func<Func<GatewayTarget>, CancellationToken, Task<int>> body,
        bool bodyOwnsBudget = false)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var budget = Budget(parse);
        if (!bodyOwnsBudget && budget != System.Threading.Timeout.InfiniteTimeSpan)
        {
            limit.CancelAfter(budget);
        }
        try
        {
            var state = GlobalOptions.ResolveState(parse);
            GatewayTarget Target() => GatewayTarget.Resolve(state, parse.GetValue(url), parse.GetValue(token), parse.GetValue(passwordFile), parse.GetValue(tokenFile),
                parse.GetValue(tlsCa) is { } ca ? Path.GetFullPath(ca) : null);
            return await body(Target, limit.Token).ConfigureAwait(false);
        }
        catch (GatewayCallException e)
        {
            var hint = parse.GetValue(url) is { } other && parse.GetValue(token) is null && parse.GetValue(tokenFile) is null && (e.Message.Contains("token missing", StringComparison.Ordinal) || e.Message.Contains("password missing", StringComparison.Ordinal))
                ? $" (this home's token is sent only to its own gateway; for {other} pass --token-file FILE)"
                : "";
            return CliOutput.Fail(ExitCode.Failure, $"{e.Code}: {e.Message}{hint}", e.Code);
        }
        catch (ArgumentException e)
        {
            return CliOutput.Fail(ExitCode.Usage, e.Message);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return TimedOut(budget);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UriFormatException)
        {
            return CliOutput.Fail(ExitCode.Failure, e.Message);
        }
    }

    /// <summary>The line a command prints when its budget ran out.</summary>
    public static int TimedOut(TimeSpan budget) =>
        CliOutput.Fail(ExitCode.Failure, $"TIMEOUT: no answer within {budget.TotalMilliseconds:F0} ms (raise it with --timeout)", "TIMEOUT");
}

using CliWrap;
using CliWrap.Buffered;

namespace ClawSharp.Control.Services;

/// <summary>How one run of a service manager's tool ended.</summary>
/// <param name="Command">What ran, for messages: <c>systemctl --user start x.service</c>.</param>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="StandardOutput">Its output.</param>
/// <param name="StandardError">Its error output.</param>
internal sealed record SystemCommandResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The result, or a <see cref="ServiceCommandException"/> naming the command, its exit code and its error output, plus <paramref name="hint"/>.</summary>
    public SystemCommandResult EnsureSucceeded(string? hint = null)
    {
        if (Succeeded)
        {
            return this;
        }
        var said = StandardError.Trim() is { Length: > 0 } error ? error : StandardOutput.Trim();
        throw new ServiceCommandException($"'{Command}' failed (exit {ExitCode}){(said.Length > 0 ? $": {said}" : "")}{(hint is null ? "" : $"; {hint}")}");
    }
}

/// <summary>
/// Runs a service manager's tool (<c>systemctl</c>, <c>launchctl</c>, <c>sc.exe</c>) found on
/// PATH, with arguments as a list (never through a shell), and buffers what it says. The tests
/// put recording stand-ins first on PATH where the real tool cannot run here.
/// </summary>
internal static class SystemCommand
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    /// <exception cref="ServiceCommandException">The tool is not installed.</exception>
    public static async Task<SystemCommandResult> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var described = string.Join(' ', new[] { program }.Concat(arguments.Select(Quote)));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            var result = await Cli.Wrap(program)
                .WithArguments(arguments)
                .WithEnvironmentVariables(environment ?? new Dictionary<string, string?>())
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(limit.Token)
                .ConfigureAwait(false);
            return new SystemCommandResult(described, result.ExitCode, result.StandardOutput, result.StandardError);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ServiceCommandException($"cannot run '{program}' ({e.Message}): is it installed and on PATH?");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServiceCommandException($"'{described}' did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s");
        }
    }

    private static string Quote(string argument) => argument.Length == 0 || argument.Any(char.IsWhiteSpace) ? $"\"{argument}\"" : argument;
}

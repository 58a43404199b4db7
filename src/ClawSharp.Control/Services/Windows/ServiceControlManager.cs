using System.Globalization;

namespace ClawSharp.Control.Services.Windows;

/// <summary>
/// The <c>sc.exe</c> and <c>reg.exe</c> calls install, uninstall and control use. sc.exe exits
/// with the Win32 error code and says why on standard output (<c>[SC] OpenService FAILED 1060</c>),
/// so the codes that mean "nothing to do" are told apart here, in one place.
/// </summary>
/// <param name="sc">The <c>sc.exe</c> to run: found on PATH, or a test's stand-in.</param>
/// <param name="reg">The <c>reg.exe</c> to run.</param>
internal sealed class ServiceControlManager(string sc = "sc.exe", string reg = "reg.exe")
{
    private static readonly TimeSpan StopPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>ERROR_SERVICE_ALREADY_RUNNING.</summary>
    private const int AlreadyRunning = 1056;

    /// <summary>ERROR_SERVICE_DOES_NOT_EXIST.</summary>
    private const int DoesNotExist = 1060;

    /// <summary>ERROR_SERVICE_NOT_ACTIVE.</summary>
    private const int NotActive = 1062;

    /// <summary>ERROR_SERVICE_MARKED_FOR_DELETE.</summary>
    private const int MarkedForDelete = 1072;

    /// <summary>reg.exe's separator of REG_MULTI_SZ strings (<c>/s</c>): a character no Windows path may hold.</summary>
    public const char EnvironmentSeparator = '|';

    public async Task CreateAsync(string name, string commandLine, string displayName, string? account, CancellationToken cancellationToken)
    {
        // sc.exe's own syntax: each option name ends in '=' and its value is the next argument.
        List<string> arguments = ["create", name, "binPath=", commandLine, "start=", "delayed-auto", "DisplayName=", displayName];
        if (account is not null)
        {
            arguments.AddRange(["obj=", account]);
        }
        (await Sc(arguments, cancellationToken).ConfigureAwait(false)).EnsureSucceeded(
            $"if the service exists already, 'sc.exe delete {name}' (or 'clawsharp gateway uninstall') first; creating a service needs an elevated (administrator) prompt");
    }

    public async Task DescribeAsync(string name, string description, CancellationToken cancellationToken) =>
        (await Sc(["description", name, description], cancellationToken).ConfigureAwait(false)).EnsureSucceeded();

    /// <summary>Restart after a failure, after each of <paramref name="delays"/> in turn; the count of failures resets after <paramref name="reset"/> without one.</summary>
    public async Task SetFailureActionsAsync(string name, TimeSpan reset, IReadOnlyList<TimeSpan> delays, CancellationToken cancellationToken)
    {
        var actions = string.Join('/', delays.Select(delay => "restart/" + ((long)delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)));
        (await Sc(["failure", name, "reset=", ((long)reset.TotalSeconds).ToString(CultureInfo.InvariantCulture), "actions=", actions], cancellationToken)
            .ConfigureAwait(false)).EnsureSucceeded();
        // Without the flag the SCM acts only on a crash; with it, also on a stop with a non-zero exit code (1, the watchdog's).
        (await Sc(["failureflag", name, "1"], cancellationToken).ConfigureAwait(false)).EnsureSucceeded();
    }

    /// <summary>
    /// The service's environment, as the SCM's own <c>Environment</c> value (REG_MULTI_SZ, one
    /// <c>KEY=VALUE</c> per string) under its key: sc.exe cannot set it, and the command line must
    /// not carry it. It holds no secret (those stay in the environment file).
    /// </summary>
    public async Task SetEnvironmentAsync(string name, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        if (environment.FirstOrDefault(pair => $"{pair.Key}={pair.Value}".Contains(EnvironmentSeparator, StringComparison.Ordinal)) is { Key: not null } bad)
        {
            throw new ServiceCommandException($"the service's environment variable {bad.Key} holds '{EnvironmentSeparator}', which the registry value cannot carry");
        }
        var data = string.Join(EnvironmentSeparator, environment.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"));
        var result = await SystemCommand.RunAsync(reg,
            ["add", KeyOf(name), "/v", "Environment", "/t", "REG_MULTI_SZ", "/s", EnvironmentSeparator.ToString(), "/d", data, "/f"], cancellationToken).ConfigureAwait(false);
        result.EnsureSucceeded();
    }

    /// <summary>Starts the service; false when it ran already.</summary>
    public Task<bool> StartAsync(string name, CancellationToken cancellationToken) =>
        RunUnlessAsync(["start", name], cancellationToken, AlreadyRunning);

    /// <summary>Asks the service to stop (the SCM answers at once; the stop itself goes on); false when it was not running or does not exist.</summary>
    public Task<bool> StopAsync(string name, CancellationToken cancellationToken) =>
        RunUnlessAsync(["stop", name], cancellationToken, NotActive, DoesNotExist);

    /// <summary>Removes the service (once it has stopped); false when it did not exist.</summary>
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        RunUnlessAsync(["delete", name], cancellationToken, DoesNotExist, MarkedForDelete);

    /// <summary>Asks the service to stop and waits until the SCM reports it stopped (or gone): <c>sc stop</c> answers at once, while the gateway drains.</summary>
    /// <exception cref="ServiceCommandException">It did not stop within <paramref name="timeout"/>.</exception>
    public async Task StopAndWaitAsync(string name, TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        await StopAsync(name, cancellationToken).ConfigureAwait(false);
        var started = clock.GetTimestamp();
        while ((await QueryAsync(name, cancellationToken).ConfigureAwait(false)).State is not ("STOPPED" or ""))
        {
            if (clock.GetElapsedTime(started) >= timeout)
            {
                throw new ServiceCommandException($"the service {name} did not stop within {timeout.TotalSeconds:0} s; see 'sc.exe queryex {name}'");
            }
            await Task.Delay(StopPoll, clock, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<WindowsServiceStatus> QueryAsync(string name, CancellationToken cancellationToken)
    {
        var result = await Sc(["queryex", name], cancellationToken).ConfigureAwait(false);
        return ErrorOf(result) == DoesNotExist ? WindowsServiceStatus.Missing : ScQueryParser.Parse(result.EnsureSucceeded().StandardOutput);
    }

    /// <summary>The service's registry key, where the SCM keeps its definition.</summary>
    public static string KeyOf(string name) => $@"HKLM\SYSTEM\CurrentControlSet\Services\{name}";

    /// <summary>
    /// The Win32 error a failed sc.exe call reports: the code in its <c>FAILED 1060:</c> line, else
    /// its exit code. The line is read first because it survives where an exit code is cut to 8
    /// bits (a POSIX stand-in in the tests; 1060 would arrive as 36).
    /// </summary>
    /// <summary>Runs an <c>sc.exe</c> command; false when it failed with one of the <paramref name="harmless"/> errors (nothing to do), else it must succeed.</summary>
    private async Task<bool> RunUnlessAsync(string[] arguments, CancellationToken cancellationToken, params int[] harmless)
    {
        var result = await Sc(arguments, cancellationToken).ConfigureAwait(false);
        if (ErrorOf(result) is { } error && harmless.Contains(error))
        {
            return false;
        }
        result.EnsureSucceeded();
        return true;
    }

    private static int? ErrorOf(SystemCommandResult result)
    {
        if (result.Succeeded)
        {
            return null;
        }
        var said = result.StandardOutput + result.StandardError;
        var at = said.IndexOf("FAILED ", StringComparison.Ordinal);
        if (at >= 0 && new string([.. said[(at + "FAILED ".Length)..].TakeWhile(char.IsAsciiDigit)]) is { Length: > 0 } digits
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return code;
        }
        return result.ExitCode;
    }

    private Task<SystemCommandResult> Sc(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        SystemCommand.RunAsync(sc, arguments, cancellationToken);
}

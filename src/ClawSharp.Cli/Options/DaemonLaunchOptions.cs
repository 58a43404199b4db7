using System.CommandLine;
using System.Globalization;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// The gateway settings <c>gateway start</c> passes through the supervisor to <c>gateway run</c>.
/// No secret travels this way: there is no <c>--token</c> here (command lines are world-readable),
/// only <c>--password-file</c>, which names a file.
/// </summary>
internal sealed class DaemonLaunchOptions
{
    public Option<int?> Port { get; } = CliOptions.Port($"Port to listen on (default {GatewayOptions.DefaultPort}; 0 = any free port)");
    public Option<System.Net.IPAddress?> Bind { get; } = CliOptions.Bind();
    public Option<AuthMode?> Auth { get; } = CliOptions.Auth();

    public Option<string?> PasswordFile { get; } = new("--password-file")
    {
        Description = "Read the auth password from FILE (implies --auth password)",
        HelpName = "FILE",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Port);
        command.Options.Add(Bind);
        command.Options.Add(Auth);
        command.Options.Add(PasswordFile);
    }

    public ConfigOverrides Overrides(ParseResult parse) => new()
    {
        Port = parse.GetValue(Port),
        Bind = parse.GetValue(Bind),
        AuthMode = parse.GetValue(Auth),
        PasswordFile = parse.GetValue(PasswordFile) is { } file ? Path.GetFullPath(file) : null,
    };

    /// <summary>The same settings as arguments, after <paramref name="head"/> (<c>gateway run</c> or <c>gateway supervise</c>).</summary>
    public static List<string> Arguments(IEnumerable<string> head, StateDirectory state, ConfigOverrides overrides)
    {
        var arguments = new List<string>(head) { "--home", state.Root };
        if (overrides.Port is { } port)
        {
            arguments.AddRange(["--port", port.ToString(CultureInfo.InvariantCulture)]);
        }
        if (overrides.Bind is { } bind)
        {
            arguments.AddRange(["--bind", bind.ToString()]);
        }
        if (overrides.AuthMode is { } auth)
        {
            arguments.AddRange(["--auth", auth.ToString().ToLowerInvariant()]);
        }
        if (overrides.PasswordFile is { } file)
        {
            arguments.AddRange(["--password-file", file]);
        }
        return arguments;
    }
}

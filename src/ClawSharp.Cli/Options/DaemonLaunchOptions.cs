using System.CommandLine;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Cli.Options;

/// <summary>
/// The gateway settings <c>gateway start</c> passes through the supervisor to <c>gateway run</c>
/// (as arguments: <see cref="Control.Managers.LaunchArguments"/>). No secret travels this way:
/// there is no <c>--token</c> here (command lines are world-readable), only <c>--token-file</c> and
/// <c>--password-file</c>, which name files.
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

    public Option<string?> TokenFile { get; } = new("--token-file")
    {
        Description = "Read the gateway's token from FILE (yours, mode 600; passed on by its path, never its content)",
        HelpName = "FILE",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(TokenFile);
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
        TokenFile = parse.GetValue(TokenFile) is { } tokenFile ? Path.GetFullPath(tokenFile) : null,
    };
}

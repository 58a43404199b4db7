using System.Globalization;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Managers;

/// <summary>
/// The gateway settings <c>gateway start</c> passes through the supervisor to <c>gateway run</c>,
/// as arguments. No secret travels this way (command lines are world-readable): a token only as
/// <c>--token-file</c>, a password only as <c>--password-file</c>, which name files.
/// </summary>
internal static class LaunchArguments
{
    /// <summary>The settings as arguments, after <paramref name="head"/> (<c>gateway run</c> or <c>gateway supervise</c>).</summary>
    public static List<string> For(IEnumerable<string> head, StateDirectory state, ConfigOverrides overrides)
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
        if (overrides.TokenFile is { } tokenFile)
        {
            arguments.AddRange(["--token-file", tokenFile]);
        }
        if (overrides.PasswordFile is { } file)
        {
            arguments.AddRange(["--password-file", file]);
        }
        return arguments;
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using ClawSharp.Cli.Parsing;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Cli.Options;

/// <summary>Option factories whose values are checked at parse time, so that a bad value is a usage error (exit 2).</summary>
internal static class CliOptions
{
    public static Option<int?> Port(string description) => new("--port")
    {
        Description = description,
        HelpName = "PORT",
        CustomParser = result => ParsePort(result),
    };

    public static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = $"{description} ({DurationParser.AcceptedForms})",
        HelpName = "DURATION",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (DurationParser.TryParse(text, out var duration))
            {
                return duration;
            }
            result.AddError($"invalid duration '{text}' for {name}: {DurationParser.AcceptedForms}");
            return null;
        },
    };

    public static Option<IPAddress?> Bind() => new("--bind")
    {
        Description = "Bind address: an IP address or 'loopback' (default loopback). Any other bind needs token or password auth",
        HelpName = "ADDRESS",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (ConfigValues.TryParseBind(text, out var address))
            {
                return address;
            }
            result.AddError($"invalid --bind '{text}': expected an IP address (127.0.0.1, 0.0.0.0, ::1) or 'loopback'");
            return null;
        },
    };

    public static Option<AuthMode?> Auth() => new("--auth")
    {
        Description = "Auth mode: token (default), password or none (loopback only)",
        HelpName = "MODE",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (ConfigValues.TryParseAuthMode(text, out var mode))
            {
                return mode;
            }
            result.AddError($"invalid --auth '{text}': expected token, password or none");
            return null;
        },
    };

    private static int? ParsePort(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (int.TryParse(text, out var port) && port is >= 0 and <= 65535)
        {
            return port;
        }
        result.AddError($"invalid --port '{text}': expected an integer from 0 to 65535 (0 = any free port)");
        return null;
    }
}

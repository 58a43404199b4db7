using System.Net;

namespace ClawSharp.Gateway.Configuration;

/// <summary>Parsing of the value kinds that both config.json and command-line flags accept.</summary>
internal static class ConfigValues
{
    /// <summary>Accepts an IPv4/IPv6 address, <c>loopback</c>/<c>localhost</c> (127.0.0.1), or <c>all</c>/<c>lan</c> (0.0.0.0).</summary>
    public static bool TryParseBind(string text, out IPAddress address)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "loopback" or "localhost":
                address = IPAddress.Loopback;
                return true;
            case "all" or "lan":
                address = IPAddress.Any;
                return true;
        }
        // IPAddress.TryParse also takes "5" or "1.2.3" (as 0.0.0.5, 1.2.0.3): demand a full form.
        var trimmed = text.Trim();
        var looksLikeAddress = trimmed.Contains(':') || trimmed.Split('.').Length == 4;
        if (looksLikeAddress && IPAddress.TryParse(trimmed, out var parsed))
        {
            address = parsed;
            return true;
        }
        address = IPAddress.None;
        return false;
    }

    /// <summary>Accepts <c>token</c>, <c>password</c> or <c>none</c>.</summary>
    public static bool TryParseAuthMode(string text, out AuthMode mode)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "token":
                mode = AuthMode.Token;
                return true;
            case "password":
                mode = AuthMode.Password;
                return true;
            case "none":
                mode = AuthMode.None;
                return true;
            default:
                mode = default;
                return false;
        }
    }
}

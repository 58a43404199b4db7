using System.Security.Cryptography;
using System.Text;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Services;

/// <summary>
/// The service's name on each platform. The default state directory gets the plain name; a
/// profile gets its own suffix, and any other <c>--home</c> a short hash of its path, so that
/// several gateways on one host never share a unit, a label or a service.
/// </summary>
internal static class ServiceNames
{
    public const string SystemdBase = "clawsharp-gateway";
    public const string LaunchdBase = "ai.clawsharp.gateway";
    public const string WindowsBase = "ClawSharpGateway";

    /// <summary>The name on <paramref name="platform"/> for the gateway of <paramref name="state"/>.</summary>
    /// <param name="platform">The service manager.</param>
    /// <param name="state">The state directory.</param>
    /// <param name="userHome">The user's home directory, where the default and profile state directories live.</param>
    public static string For(ServicePlatform platform, StateDirectory state, string userHome)
    {
        var suffix = Suffix(state, userHome);
        return platform switch
        {
            ServicePlatform.Systemd => suffix is null ? SystemdBase : $"{SystemdBase}-{suffix}",
            ServicePlatform.Launchd => suffix is null ? LaunchdBase : $"{LaunchdBase}.{suffix}",
            _ => suffix is null ? WindowsBase : $"{WindowsBase}-{suffix}",
        };
    }

    /// <summary>Null for <c>~/.clawsharp</c>; the profile for <c>~/.clawsharp-NAME</c>; else <c>h</c> + 8 hex digits of the path's SHA-256.</summary>
    private static string? Suffix(StateDirectory state, string userHome)
    {
        var root = Path.TrimEndingDirectorySeparator(state.Root);
        var defaultRoot = Path.Combine(userHome, ".clawsharp");
        if (root == defaultRoot)
        {
            return null;
        }
        if (Path.GetDirectoryName(root) == Path.TrimEndingDirectorySeparator(userHome) && Path.GetFileName(root).StartsWith(".clawsharp-", StringComparison.Ordinal)
            && Path.GetFileName(root)[".clawsharp-".Length..] is { Length: > 0 } profile && profile.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            // A profile's name (the same rule as --profile): safe in a unit name, a label and a service name.
            return profile;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(root));
        return "h" + Convert.ToHexStringLower(hash)[..8];
    }
}

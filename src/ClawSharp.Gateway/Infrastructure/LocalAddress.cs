using System.Net;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>Where a client on this host reaches a gateway bound to an address (a wildcard bind is reached on loopback).</summary>
internal static class LocalAddress
{
    /// <summary>The host part of a URL for <paramref name="bind"/>: <c>127.0.0.1</c> for 0.0.0.0, <c>[::1]</c> for ::, IPv6 in brackets.</summary>
    public static string For(IPAddress bind)
    {
        if (bind.Equals(IPAddress.Any))
        {
            return "127.0.0.1";
        }
        if (bind.Equals(IPAddress.IPv6Any))
        {
            return "[::1]";
        }
        return bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind.ToString();
    }
}

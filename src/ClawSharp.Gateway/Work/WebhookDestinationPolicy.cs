using System.Net;
using System.Net.Sockets;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Work;

/// <summary>
/// Where a reply may be POSTed. A webhook URL comes from whoever sent the message, so it must
/// not turn the gateway into a way into the operator's own machine or network: loopback and
/// private, link-local or reserved addresses are refused unless <c>webhooks.allowLoopback</c> /
/// <c>webhooks.allowPrivateNetworks</c> allow them, and <c>webhooks.allowedHosts</c>, when set,
/// names the only hosts. The URL is checked when the message arrives (a clear error, nothing
/// stored) and every address is checked again when a connection is made, after DNS resolution,
/// so a name that resolves elsewhere later (DNS rebinding) gains nothing.
/// </summary>
internal sealed class WebhookDestinationPolicy(WebhookOptions options)
{
    /// <summary>Why <paramref name="url"/> may not be a webhook, or null when it may.</summary>
    public string? UrlRefusal(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return "webhookUrl must be an http or https URL";
        }
        var host = HostOf(uri);
        if (options.AllowedHosts.Count > 0 && !options.AllowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return $"webhookUrl host {host} is not in webhooks.allowedHosts";
        }
        if (IPAddress.TryParse(host, out var address))
        {
            return AddressRefusal(address) is { } refusal ? $"webhookUrl {refusal}" : null;
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return AddressRefusal(IPAddress.Loopback) is { } refusal ? $"webhookUrl {host}: {refusal}" : null;
        }
        return null;
    }

    /// <summary>Why a connection to <paramref name="address"/> is refused ("ADDRESS is a … address: refused unless …"), or null when it is allowed.</summary>
    public string? AddressRefusal(IPAddress address) => KindRefusal(address) is { } why ? $"{address} {why}" : null;

    /// <summary>Why a connection to <paramref name="address"/> is refused, without the address ("is a … address: refused unless …").</summary>
    public string? KindRefusal(IPAddress address) => Classify(address) switch
    {
        AddressKind.Loopback when !options.AllowLoopback =>
            "is a loopback address: refused unless webhooks.allowLoopback is true",
        AddressKind.NonPublic when !options.AllowPrivateNetworks =>
            "is a private, link-local or reserved address: refused unless webhooks.allowPrivateNetworks is true",
        _ => null,
    };

    /// <summary>The host of a URL as DNS or an address parser takes it: lower case, IPv6 without brackets.</summary>
    public static string HostOf(Uri uri) => uri.DnsSafeHost.ToLowerInvariant();

    private static AddressKind Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address))
        {
            return AddressKind.Loopback;
        }
        return address.AddressFamily == AddressFamily.InterNetwork ? ClassifyV4(address.GetAddressBytes()) : ClassifyV6(address);
    }

    private static AddressKind ClassifyV4(byte[] b) =>
        b[0] switch
        {
            0 or 10 => AddressKind.NonPublic,
            100 when (b[1] & 0xC0) == 64 => AddressKind.NonPublic,      // 100.64.0.0/10, carrier-grade NAT
            169 when b[1] == 254 => AddressKind.NonPublic,              // link-local, cloud metadata
            172 when (b[1] & 0xF0) == 16 => AddressKind.NonPublic,
            192 when b[1] == 168 => AddressKind.NonPublic,
            192 when b[1] == 0 && b[2] is 0 or 2 => AddressKind.NonPublic,   // IETF protocol assignments, TEST-NET-1
            198 when (b[1] & 0xFE) == 18 => AddressKind.NonPublic,      // benchmarking
            198 when b[1] == 51 && b[2] == 100 => AddressKind.NonPublic,  // TEST-NET-2
            203 when b[1] == 0 && b[2] == 113 => AddressKind.NonPublic,   // TEST-NET-3
            >= 224 => AddressKind.NonPublic,                            // multicast, reserved, broadcast
            _ => AddressKind.Public,
        };

    private static AddressKind ClassifyV6(IPAddress address)
    {
        var b = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (b[0] & 0xFE) == 0xFC)
        {
            return AddressKind.NonPublic;
        }
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address: judge that one.
        if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return Classify(new IPAddress(b.AsSpan(12, 4)));
        }
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return Classify(new IPAddress(b.AsSpan(2, 4)));
        }
        // IPv4-compatible and other ::/96 forms are deprecated: nothing public lives there.
        return b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 ? AddressKind.NonPublic : AddressKind.Public;
    }

    private enum AddressKind
    {
        Public,
        Loopback,
        NonPublic,
    }
}

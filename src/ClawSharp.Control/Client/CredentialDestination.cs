using System.Net;
using System.Net.NetworkInformation;

namespace ClawSharp.Control.Client;

/// <summary>
/// Where a credential may go. A home's token opens its own gateway only, so it is attached to a
/// URL only when that URL is that gateway (this machine, the port its lock or config records);
/// and no credential ever crosses the network in clear text: over plain <c>ws://</c> it goes to
/// this machine only (loopback, or one of its own addresses), anywhere else it needs <c>wss://</c>.
/// </summary>
internal static class CredentialDestination
{
    /// <summary>True when <paramref name="url"/> names this machine: <c>localhost</c>, a loopback address, or an address of one of its interfaces.</summary>
    public static bool IsThisMachine(Uri url)
    {
        var host = url.IdnHost.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (!IPAddress.TryParse(host, out var address))
        {
            return false;
        }
        if (IPAddress.IsLoopback(address))
        {
            return true;
        }
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Any(a => a.Address.Equals(address));
        }
        catch (NetworkInformationException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="url"/> is this machine at <paramref name="port"/>: the home's own gateway.</summary>
    public static bool IsHomeGateway(Uri url, int? port) => port is > 0 && url.Port == port && IsThisMachine(url);

    /// <summary>Throws unless a credential may be sent to <paramref name="url"/>: <c>wss://</c> anywhere, <c>ws://</c> to this machine only.</summary>
    /// <exception cref="ArgumentException">The URL is not ws:// or wss://, or is ws:// to another host.</exception>
    public static void CheckTransport(Uri url)
    {
        if (url.Scheme == "wss")
        {
            return;
        }
        if (url.Scheme != "ws")
        {
            throw new ArgumentException($"--url {url} is not a ws:// or wss:// URL");
        }
        if (!IsThisMachine(url))
        {
            throw new ArgumentException(
                $"refusing to send a credential over plain ws:// to {url.Host}, which is not this machine: anyone on the path could read it; use wss://{url.Authority}{url.PathAndQuery} (TLS)");
        }
    }
}

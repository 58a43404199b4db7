using System.Net;
using System.Net.Sockets;

namespace ClawSharp.Control.SelfTest;

/// <summary>A loopback port nobody listens on right now.</summary>
internal static class FreePort
{
    public static int Loopback()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

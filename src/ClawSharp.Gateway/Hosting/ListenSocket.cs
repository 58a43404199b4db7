using System.Net;
using System.Net.Sockets;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Hosting;

/// <summary>
/// The listening socket, bound once and kept for the life of the process so that an
/// in-process restart never closes the port: connections wait in the backlog between two
/// servers. Each server gets its own duplicate descriptor with a number never used before
/// (reusing a number leaves a stale event registration in the runtime and stalls accepts).
/// </summary>
public sealed class ListenSocket : IDisposable
{
    private const int FirstDuplicateFloor = 200;
    private const int Backlog = 1024;

    // Hazard: this reference keeps the descriptor alive; an unreferenced Socket is finalized and closes it.
    private readonly Socket socket;
    private int nextDuplicateFloor = FirstDuplicateFloor;

    private ListenSocket(Socket socket, IPEndPoint endpoint)
    {
        this.socket = socket;
        Endpoint = endpoint;
    }

    /// <summary>The address and the port actually bound.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Binds and listens.</summary>
    /// <exception cref="SocketException">The port is taken or the address is not on this host.</exception>
    public static ListenSocket Bind(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(Backlog);
            return new ListenSocket(socket, (IPEndPoint)socket.LocalEndPoint!);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>True when this socket serves the configured bind and port (port 0 takes any).</summary>
    public bool Serves(IPAddress address, int configuredPort) =>
        Endpoint.Address.Equals(address) && (configuredPort == 0 || configuredPort == Endpoint.Port);

    /// <summary>A fresh close-on-exec duplicate for one server generation; the caller closes it after that server is disposed.</summary>
    public int DuplicateForServer()
    {
        var duplicate = Posix.DuplicateAtLeast((int)socket.SafeHandle.DangerousGetHandle(), nextDuplicateFloor);
        nextDuplicateFloor = duplicate + 1;
        return duplicate;
    }

    public void Dispose() => socket.Dispose();
}

using System.Net;
using System.Net.Sockets;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Claim;

/// <summary>
/// The listening socket, bound once and kept for the life of the process so that an
/// in-process restart never closes the port: connections wait in the backlog between two
/// servers. Each server gets its own duplicate descriptor with a number never used before
/// (reusing a number leaves a stale event registration in the runtime and stalls accepts).
/// </summary>
internal sealed class ListenSocket : IDisposable
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

    /// <summary>
    /// systemd passed this socket (socket activation) and holds it too: closing ours would not
    /// free the port, so the gateway serves on this one or on none.
    /// </summary>
    public bool Activated { get; private init; }

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

    /// <summary>
    /// Takes over the listening socket a parent gateway handed down (fresh-PID respawn), so the
    /// port keeps serving and a <c>--port 0</c> gateway keeps its port. Adopted only when the
    /// descriptor is a listening TCP socket bound to the endpoint the parent named, serving the
    /// configured bind and port; otherwise it is closed (it would hold the port without
    /// accepting) and null is returned with <paramref name="problem"/> saying why.
    /// </summary>
    public static ListenSocket? TryAdopt(InheritedListener inherited, IPAddress address, int configuredPort, out string? problem) =>
        TryAdopt(inherited.Descriptor, inherited.Endpoint, address, configuredPort, activated: false, out problem);

    /// <summary>
    /// Takes over the socket systemd passed (socket activation): adopted only when it is a
    /// listening TCP socket serving the configured bind and port. Otherwise our descriptor is
    /// closed (systemd keeps its own) and null is returned with <paramref name="problem"/> saying why.
    /// </summary>
    public static ListenSocket? TryAdopt(SocketActivation activation, IPAddress address, int configuredPort, out string? problem) =>
        TryAdopt(activation.Descriptor, expected: null, address, configuredPort, activated: true, out problem);

    private static ListenSocket? TryAdopt(int descriptor, IPEndPoint? expected, IPAddress address, int configuredPort, bool activated, out string? problem)
    {
        problem = null;
        if (!Posix.IsOpen(descriptor))
        {
            problem = "it is not open";
            return null;
        }
        var handle = new SafeSocketHandle(descriptor, ownsHandle: true);
        Socket socket;
        try
        {
            socket = new Socket(handle);
        }
        catch (SocketException e)
        {
            handle.Dispose();
            problem = $"it is not a socket ({e.SocketErrorCode})";
            return null;
        }
        try
        {
            var listening = socket.SocketType == SocketType.Stream
                && socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.AcceptConnection) is int accepting && accepting != 0;
            var bound = socket.LocalEndPoint as IPEndPoint;
            if (!listening || bound is null)
            {
                problem = "it is not a listening TCP socket";
            }
            else if (expected is not null && !bound.Equals(expected))
            {
                problem = $"it is bound to {bound}, not {expected}";
            }
            else if (!Serves(bound, address, configuredPort))
            {
                problem = $"it is bound to {bound} but the configuration asks for {address}:{configuredPort}";
            }
            else
            {
                // Inherited without close-on-exec: our own children must not inherit it in turn.
                Posix.SetCloseOnExec(descriptor);
                return new ListenSocket(socket, bound) { Activated = activated };
            }
        }
        catch (SocketException e)
        {
            problem = $"it cannot be inspected ({e.SocketErrorCode})";
        }
        socket.Dispose();
        return null;
    }

    /// <summary>True when this socket serves the configured bind and port (port 0 takes any).</summary>
    public bool Serves(IPAddress address, int configuredPort) => Serves(Endpoint, address, configuredPort);

    /// <summary>A fresh close-on-exec duplicate for one server generation; the caller closes it after that server is disposed.</summary>
    public int DuplicateForServer()
    {
        var duplicate = Posix.DuplicateAtLeast((int)socket.SafeHandle.DangerousGetHandle(), nextDuplicateFloor);
        nextDuplicateFloor = duplicate + 1;
        return duplicate;
    }

    /// <summary>
    /// A duplicate WITHOUT close-on-exec for the one child a fresh-PID respawn starts next. The
    /// caller closes it right after that spawn: any other process spawned while it is open
    /// would inherit the port too.
    /// </summary>
    public int DuplicateForChild() => Posix.DuplicateInheritable((int)socket.SafeHandle.DangerousGetHandle(), 3);

    public void Dispose() => socket.Dispose();

    private static bool Serves(IPEndPoint endpoint, IPAddress address, int configuredPort) =>
        endpoint.Address.Equals(address) && (configuredPort == 0 || configuredPort == endpoint.Port);
}

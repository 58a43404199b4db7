using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Daemon;

/// <summary>
/// The listening socket, held by the supervisor across the gateway processes it starts and
/// handed down to each (<c>CLAWSHARP_LISTEN_FD</c>, as a fresh-PID respawn does): between a
/// gateway's exit and the next one's start, connections wait in the backlog instead of being
/// refused, and a <c>--port 0</c> daemon keeps its port. Bound again when the configured
/// address or port changes; when it cannot be bound, each gateway binds for itself.
/// </summary>
/// <param name="log">The supervisor log.</param>
/// <param name="inherited">The socket of the gateway that started this supervisor (<see cref="SupervisorAdoption"/>): taken over at the first
/// <see cref="Ensure"/> when it serves the configuration, so the port never closes between that gateway and the first one started here.</param>
internal sealed class SupervisorListener(SupervisorLog log, InheritedListener? inherited = null) : IDisposable
{
    private ListenSocket? socket;
    private InheritedListener? offered = inherited;

    /// <summary>Makes sure a socket serves <paramref name="bind"/>:<paramref name="port"/>, or none when that cannot be bound.</summary>
    public void Ensure(IPAddress bind, int port)
    {
        if (socket is not null && socket.Serves(bind, port))
        {
            return;
        }
        socket?.Dispose();
        socket = null;
        if (offered is { } handed)
        {
            offered = null;
            socket = ListenSocket.TryAdopt(handed, bind, port, out var problem);
            if (socket is not null)
            {
                log.Info($"took over the listening socket {socket.Endpoint} (fd {handed.Descriptor}) from the gateway that started this supervisor");
                return;
            }
            log.Warning($"closed the inherited descriptor {handed.Descriptor} instead of using it: {problem}; binding anew");
        }
        try
        {
            socket = ListenSocket.Bind(bind, port);
            log.Info($"listening on {socket.Endpoint}; each gateway takes this socket over");
        }
        catch (SocketException e)
        {
            // The gateway will try the same bind and report why in its own log (exit 78 for a healthy duplicate).
            log.Warning($"cannot listen on {bind}:{port} ({e.Message}); the gateway binds for itself");
        }
    }

    /// <summary>Passes the socket to the process <paramref name="info"/> starts; the returned descriptor is closed once it has started.</summary>
    public int HandDown(ProcessStartInfo info)
    {
        if (socket is null)
        {
            return -1;
        }
        var descriptor = socket.DuplicateForChild();
        info.Environment[SpawnOrigin.ListenFdVariable] = descriptor.ToString(CultureInfo.InvariantCulture);
        info.Environment[SpawnOrigin.ListenEndpointVariable] = socket.Endpoint.ToString();
        return descriptor;
    }

    /// <summary>Closes the duplicate <see cref="HandDown"/> made: the child has its own now.</summary>
    public static void Release(int descriptor)
    {
        if (descriptor >= 0)
        {
            Posix.Close(descriptor);
        }
    }

    public void Dispose() => socket?.Dispose();
}

using System.Net;
using System.Net.Sockets;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>HTTP and WebSocket clients whose connections leave from a chosen loopback address (127.0.0.2, …), as other clients of one host would.</summary>
internal static class LoopbackSource
{
    /// <summary>A handler that binds every connection to <paramref name="local"/> before it connects.</summary>
    public static SocketsHttpHandler Handler(IPAddress local) => new()
    {
        PooledConnectionLifetime = TimeSpan.Zero,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

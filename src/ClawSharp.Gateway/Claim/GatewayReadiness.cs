using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Claim;

/// <summary>
/// Is a given gateway process ready: does <c>gateway.lock</c> name it, and does it answer
/// <c>/readyz</c> 200 on the port the lock records? A TCP accept proves nothing: a handed-over
/// listening socket accepts (into its backlog) whoever holds it (PROTOCOL.md). Asked by the
/// fresh-PID respawn, the supervisor and <c>gateway start</c>.
/// </summary>
internal static class GatewayReadiness
{
    private static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(2);
    private static readonly byte[] Request = "GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray();

    /// <summary>The port it serves when ready, else null.</summary>
    public static async Task<int?> ReadyPortAsync(StateDirectory state, int pid, CancellationToken cancellationToken, TimeSpan? probeTimeout = null)
    {
        if (GatewayLock.ReadOwner(state.LockFile) is not { Port: > 0 } owner || owner.Pid != pid
            || !System.Net.IPAddress.TryParse(owner.Bind, out var address))
        {
            return null;
        }
        // One raw request rather than an HttpClient: the supervisor stays small (no HTTP stack
        // loaded into a process that otherwise only waits), and the probe costs one round trip.
        var target = address.Equals(System.Net.IPAddress.Any) ? System.Net.IPAddress.Loopback
            : address.Equals(System.Net.IPAddress.IPv6Any) ? System.Net.IPAddress.IPv6Loopback : address;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(probeTimeout ?? DefaultProbeTimeout);
        try
        {
            using var socket = new System.Net.Sockets.Socket(target.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await socket.ConnectAsync(target, owner.Port, limit.Token).ConfigureAwait(false);
            await socket.SendAsync(Request, limit.Token).ConfigureAwait(false);
            var status = new byte[12];
            var read = 0;
            while (read < status.Length)
            {
                var n = await socket.ReceiveAsync(status.AsMemory(read), limit.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    return null;
                }
                read += n;
            }
            // "HTTP/1.1 200"
            return status.AsSpan(9, 3).SequenceEqual("200"u8) ? owner.Port : null;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return null;
        }
    }
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Claim;

/// <summary>
/// Is a given gateway process ready: does <c>gateway.lock</c> name it, and does it answer
/// <c>/readyz</c> 200 on the port the lock records? A TCP accept proves nothing: a handed-over
/// listening socket accepts (into its backlog) whoever holds it (PROTOCOL.md), and so does the
/// socket of a stopped (SIGSTOP) or wedged process. Asked by the fresh-PID respawn, the
/// supervisor, <c>gateway start</c> and a duplicate start (<see cref="GatewayClaim"/>).
/// </summary>
internal static class GatewayReadiness
{
    private static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(2);
    private static readonly byte[] Request = "GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray();

    /// <summary>The port it serves when ready, else null.</summary>
    /// <param name="orItsChild">Also when the lock names a child of <paramref name="pid"/>: a supervisor's gateway.</param>
    public static async Task<int?> ReadyPortAsync(StateDirectory state, int pid, CancellationToken cancellationToken, TimeSpan? probeTimeout = null,
        bool orItsChild = false)
    {
        if (GatewayLock.ReadOwner(state.LockFile) is not { Port: > 0 } owner
            || (owner.Pid != pid && !(orItsChild && IsChildOf(owner.Pid, pid)))
            || !IPAddress.TryParse(owner.Bind, out var address))
        {
            return null;
        }
        var answer = await ProbeAsync(address, owner.Port, probeTimeout ?? DefaultProbeTimeout, cancellationToken).ConfigureAwait(false);
        return answer == ReadinessAnswer.Ready ? owner.Port : null;
    }

    /// <summary>
    /// Whether <paramref name="pid"/> is a child of <paramref name="parent"/>. Without /proc (macOS)
    /// any process but this one counts: this process released the lock before it started the parent,
    /// and only that parent's gateway takes it meanwhile.
    /// </summary>
    private static bool IsChildOf(int pid, int parent) =>
        Infrastructure.ProcStat.ParentPidOf(pid) is { } actual ? actual == parent : OperatingSystem.IsMacOS() && pid != Environment.ProcessId;

    /// <summary>
    /// Asks <c>/readyz</c> on <paramref name="bind"/>:<paramref name="port"/> once; no answer within
    /// <paramref name="timeout"/> (connect, send and status line together) is <see cref="ReadinessAnswer.NoAnswer"/>.
    /// Never throws: a cancelled <paramref name="cancellationToken"/> is <see cref="ReadinessAnswer.Unknown"/>.
    /// </summary>
    public static async Task<ReadinessAnswer> ProbeAsync(IPAddress bind, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // One raw request rather than an HttpClient: the supervisor stays small (no HTTP stack
        // loaded into a process that otherwise only waits), and the probe costs one round trip.
        var target = bind.Equals(IPAddress.Any) ? IPAddress.Loopback
            : bind.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : bind;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var answer = await TryAskAsync(target, port, tls: false, limit.Token).ConfigureAwait(false);
            // A gateway serving TLS (gateway.tls) hangs up on plain HTTP: ask again over TLS.
            return answer == ReadinessAnswer.Unknown ? await TryAskAsync(target, port, tls: true, limit.Token).ConfigureAwait(false) : answer;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ReadinessAnswer.NoAnswer;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return ReadinessAnswer.Unknown;
        }
    }

    /// <summary>One question; a connection reset or a failed handshake is <see cref="ReadinessAnswer.Unknown"/> (cancellation still throws).</summary>
    private static async Task<ReadinessAnswer> TryAskAsync(IPAddress target, int port, bool tls, CancellationToken cancellationToken)
    {
        try
        {
            return await AskAsync(target, port, tls, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException)
        {
            return ReadinessAnswer.Unknown;
        }
    }

    private static async Task<ReadinessAnswer> AskAsync(IPAddress target, int port, bool tls, CancellationToken cancellationToken)
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(target, port, cancellationToken).ConfigureAwait(false);
        await using var network = new NetworkStream(socket, ownsSocket: false);
        Stream stream = network;
        SslStream? ssl = null;
        try
        {
            if (tls)
            {
                // No secret is sent and the process was identified through the lock: any certificate will do for a readiness question.
                ssl = new SslStream(network, leaveInnerStreamOpen: true, (_, _, _, _) => true);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cancellationToken).ConfigureAwait(false);
                stream = ssl;
            }
            await stream.WriteAsync(Request, cancellationToken).ConfigureAwait(false);
            var status = new byte[12];
            var read = 0;
            while (read < status.Length)
            {
                var n = await stream.ReadAsync(status.AsMemory(read), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return ReadinessAnswer.Unknown;
                }
                read += n;
            }
            // "HTTP/1.1 200"
            return status.AsSpan(9, 3).SequenceEqual("200"u8) ? ReadinessAnswer.Ready : ReadinessAnswer.NotReady;
        }
        finally
        {
            if (ssl is not null)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

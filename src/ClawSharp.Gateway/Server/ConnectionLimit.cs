using ClawSharp.Gateway.Http;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Server;

/// <summary>
/// Holds the port's open connections (HTTP, WebSocket and idle ones alike) to a limit, closing
/// each one past it as soon as Kestrel accepts it: one log line a minute at most says how many
/// were refused, and <c>clawsharp_connections_refused_total</c> counts them. Without it, a flood
/// of idle TCP connections (no credential needed) ran the gateway out of descriptors, and its
/// accept loop then grew the heap by ~60 MB/s until the process died of it.
/// </summary>
internal sealed class ConnectionLimit
{
    /// <summary>Descriptors kept back from the limit for the store, the logs, exec agents and tasks.</summary>
    public const int DescriptorHeadroom = 256;

    private static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(1);

    private readonly ILogger logger;
    private readonly TimeProvider time;
    private int open;
    private long refusedSinceLog;
    private long lastLog = long.MinValue;

    public ConnectionLimit(int configured, long? openFileLimit, ILogger logger, TimeProvider time)
    {
        this.logger = logger;
        this.time = time;
        Configured = configured;
        Limit = Effective(configured, openFileLimit);
    }

    /// <summary><c>gateway.maxConnections</c>.</summary>
    public int Configured { get; }

    /// <summary>What is held: the configured limit, or less when the open-file limit leaves less room.</summary>
    public int Limit { get; }

    public int Open => Volatile.Read(ref open);

    /// <summary><paramref name="configured"/>, lowered to leave <see cref="DescriptorHeadroom"/> of the open-file limit free (never under 16).</summary>
    public static int Effective(int configured, long? openFileLimit) =>
        openFileLimit is { } descriptors ? (int)Math.Max(16, Math.Min(configured, descriptors - DescriptorHeadroom)) : configured;

    /// <summary>The limit for this process, under its own open-file limit (a warning says so when that lowers it).</summary>
    public static ConnectionLimit ForThisProcess(int configured, ILogger logger, TimeProvider time)
    {
        var descriptors = Posix.OpenFileLimit();
        var limit = new ConnectionLimit(configured, descriptors, logger, time);
        if (limit.Limit < configured && descriptors is { } known)
        {
            var level = configured == Configuration.GatewayOptions.DefaultMaxConnections ? LogLevel.Information : LogLevel.Warning;
            HttpLog.ConnectionLimitLowered(logger, level, limit.Limit, configured, known);
        }
        return limit;
    }

    /// <summary>Kestrel connection middleware: counts the connection in, or closes it.</summary>
    public ConnectionDelegate Around(ConnectionDelegate next) => async connection =>
    {
        if (Interlocked.Increment(ref open) > Limit)
        {
            Interlocked.Decrement(ref open);
            Refused();
            connection.Abort(new ConnectionAbortedException("gateway.maxConnections reached"));
            return;
        }
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref open);
        }
    };

    private void Refused()
    {
        GatewayMetrics.RecordConnectionRefused();
        Interlocked.Increment(ref refusedSinceLog);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref lastLog);
        if ((last == long.MinValue || time.GetElapsedTime(last, now) >= LogEvery) && Interlocked.CompareExchange(ref lastLog, now, last) == last)
        {
            HttpLog.ConnectionsRefused(logger, Interlocked.Exchange(ref refusedSinceLog, 0), Limit, Configured);
        }
    }
}

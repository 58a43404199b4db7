using ClawSharp.Gateway.Http;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Server;

/// <summary>
/// Holds the port's open connections (HTTP, WebSocket and idle ones alike) to a limit, closing
/// each one past it as soon as Kestrel accepts it: a log line says so at the first refusal, and
/// at most one a minute after that with how many more were refused, and <c>clawsharp_connections_refused_total</c> counts them. Without it, a flood
/// of idle TCP connections (no credential needed) ran the gateway out of descriptors, and its
/// accept loop then grew the heap by ~60 MB/s until the process died of it.
/// </summary>
internal sealed class ConnectionLimit : IDisposable
{
    /// <summary>Descriptors kept back from the limit for the store, the logs, exec agents and tasks.</summary>
    public const int DescriptorHeadroom = 256;

    private static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(1);

    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly Lock logGate = new();
    private int open;
    // Refusals not yet in a log line, and the timer that ends the minute after the last line (logGate).
    private long refusedSinceLog;
    private ITimer? flush;

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
        lock (logGate)
        {
            refusedSinceLog++;
            // Else a line went out less than a minute ago: this one is told when that minute ends.
            if (flush is null)
            {
                FlushHoldingTheGate(rearm: true);
            }
        }
    }

    /// <summary>A minute after a line: the refusals since (if any) get theirs, and the next minute starts.</summary>
    private void FlushRefusals() => Flush(rearm: true);

    private void Flush(bool rearm)
    {
        lock (logGate)
        {
            FlushHoldingTheGate(rearm);
        }
    }

    /// <summary>Logs the refusals not told yet, if any, and then (when <paramref name="rearm"/>) holds the next line a minute.</summary>
    private void FlushHoldingTheGate(bool rearm)
    {
        flush?.Dispose();
        flush = null;
        if (refusedSinceLog > 0)
        {
            HttpLog.ConnectionsRefused(logger, refusedSinceLog, Limit, Configured);
            refusedSinceLog = 0;
            flush = rearm ? time.CreateTimer(_ => FlushRefusals(), null, LogEvery, Timeout.InfiniteTimeSpan) : null;
        }
    }

    /// <summary>Says what is not said yet (the generation ends).</summary>
    public void Dispose() => Flush(rearm: false);
}

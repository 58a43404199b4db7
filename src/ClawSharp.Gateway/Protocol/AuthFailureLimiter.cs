using System.Net;
using System.Net.Sockets;

namespace ClawSharp.Gateway.Protocol;

/// <summary>What a failed attempt of a throttled bucket gets: when to try again, and how long its answer is held back.</summary>
/// <param name="Bucket">The addresses it counts for (<see cref="AuthFailureLimiter.BucketOf"/>).</param>
/// <param name="RetryAfter">Until the bucket's window ends.</param>
/// <param name="Hold">How long to wait before answering: throttled failures of one bucket are answered one per <see cref="AuthFailureLimiter.FailureSpacing"/>.</param>
internal sealed record Throttle(string Bucket, TimeSpan RetryAfter, TimeSpan Hold);

/// <summary>
/// Slows down guessing without ever locking the owner out. Callers check the credential first
/// and report only failures here: a correct credential always gets in, throttled or not. After
/// <see cref="MaxFailures"/> failures of one bucket within <see cref="Window"/>, each further
/// failure is answered <c>RATE_LIMITED</c> (HTTP 429), held back so that the bucket gets one
/// answer per <see cref="FailureSpacing"/>, however many connections it opens.
/// Buckets: every loopback address (127.0.0.0/8, ::1) is one, an IPv6 address counts for its
/// /64, an IPv4 address for itself. The table holds at most <see cref="MaxEntries"/> buckets;
/// past that, new addresses share one overflow bucket, so filling the table throttles the
/// filler. A timer sweeps out buckets whose window has passed. Kept for the life of the
/// process, so a restart does not reset it.
/// </summary>
internal sealed class AuthFailureLimiter : IDisposable
{
    public const int MaxFailures = 10;
    public const int MaxEntries = 4096;
    public const string LoopbackBucket = "loopback";
    public const string OverflowBucket = "overflow";
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>One throttled answer per bucket per second: 1 s.</summary>
    public static readonly TimeSpan FailureSpacing = TimeSpan.FromSeconds(1);

    /// <summary>The longest a throttled answer is held: 10 s (the handshake's own limit).</summary>
    public static readonly TimeSpan MaxHold = ProtocolConstants.HandshakeTimeout;

    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly Dictionary<string, Failures> buckets = new(StringComparer.Ordinal);
    private readonly ITimer sweeper;

    public AuthFailureLimiter(TimeProvider time)
    {
        this.time = time;
        sweeper = time.CreateTimer(_ => Sweep(), null, Window, Window);
    }

    /// <summary>How many buckets are kept now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return buckets.Count;
            }
        }
    }

    /// <summary>Counts a failed attempt from <paramref name="address"/>; null while its bucket is under the limit.</summary>
    public Throttle? RecordFailure(IPAddress? address)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            var bucket = BucketOf(address);
            if (!buckets.ContainsKey(bucket) && buckets.Count >= MaxEntries)
            {
                bucket = OverflowBucket;
            }
            if (!buckets.TryGetValue(bucket, out var failures) || now - failures.WindowStart >= Window)
            {
                failures = new Failures(now);
                buckets[bucket] = failures;
            }
            if (++failures.Count <= MaxFailures)
            {
                return null;
            }
            var answerAt = (failures.NextAnswerAt > now ? failures.NextAnswerAt : now) + FailureSpacing;
            if (answerAt - now > MaxHold)
            {
                answerAt = now + MaxHold;
            }
            failures.NextAnswerAt = answerAt;
            return new Throttle(bucket, failures.WindowStart + Window - now, answerAt - now);
        }
    }

    /// <summary>Drops the buckets whose window has passed; the timer calls it every <see cref="Window"/>.</summary>
    public void Sweep()
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            foreach (var (bucket, failures) in buckets)
            {
                if (now - failures.WindowStart >= Window)
                {
                    buckets.Remove(bucket);
                }
            }
        }
    }

    /// <summary>The bucket an address counts for: <c>loopback</c>, the IPv4 address, or the IPv6 /64 (<c>2001:db8:1:2::/64</c>).</summary>
    public static string BucketOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address))
        {
            return LoopbackBucket;
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    public void Dispose() => sweeper.Dispose();

    private sealed class Failures(DateTimeOffset windowStart)
    {
        public DateTimeOffset WindowStart { get; } = windowStart;
        public int Count { get; set; }
        public DateTimeOffset NextAnswerAt { get; set; }
    }
}

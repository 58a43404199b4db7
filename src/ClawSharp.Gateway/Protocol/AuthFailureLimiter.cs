using System.Collections.Concurrent;

namespace ClawSharp.Gateway.Protocol;

/// <summary>
/// Slows down guessing: after <see cref="MaxFailures"/> failed handshakes from one address
/// within <see cref="Window"/>, that address is refused until the window has passed.
/// Kept for the life of the process, so a restart does not reset it.
/// </summary>
internal sealed class AuthFailureLimiter(TimeProvider time)
{
    public const int MaxFailures = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Failures> byAddress = new(StringComparer.Ordinal);

    /// <summary>Milliseconds until <paramref name="address"/> may try again, or 0 when it may try now.</summary>
    public long RetryAfterMs(string address)
    {
        if (!byAddress.TryGetValue(address, out var failures))
        {
            return 0;
        }
        var elapsed = time.GetUtcNow() - failures.WindowStart;
        if (elapsed >= Window)
        {
            byAddress.TryRemove(address, out _);
            return 0;
        }
        return failures.Count >= MaxFailures ? (long)(Window - elapsed).TotalMilliseconds : 0;
    }

    public void RecordFailure(string address)
    {
        var now = time.GetUtcNow();
        byAddress.AddOrUpdate(address,
            _ => new Failures(now, 1),
            (_, f) => now - f.WindowStart >= Window ? new Failures(now, 1) : f with { Count = f.Count + 1 });
    }

    public void RecordSuccess(string address) => byAddress.TryRemove(address, out _);

    private sealed record Failures(DateTimeOffset WindowStart, int Count);
}

namespace ClawSharp.Gateway.Protocol;

/// <summary>
/// The bytes all control connections together may hold in frames they are still reading, past
/// the first <see cref="FreePerConnection"/> of each: one frame may be 25 MiB
/// (<c>policy.maxPayload</c>), and 40 clients each sending one held 2.4 GB at once. A frame that
/// would take more is refused (close 1013, try again later); the connection's own limit still
/// answers 1009 for a frame too large in itself.
/// </summary>
internal sealed class FrameBudget(long total)
{
    /// <summary>What all connections may hold past their free part: 64 MiB, two and a half frames of the largest size.</summary>
    public const long DefaultTotal = 64L << 20;

    /// <summary>What each connection reads without asking: every ordinary frame fits.</summary>
    public const int FreePerConnection = 64 * 1024;

    private long held;

    public long Total { get; } = total;

    /// <summary>Takes <paramref name="bytes"/> more for one frame; false (nothing taken) when that would pass <see cref="Total"/>.</summary>
    public bool TryTake(long bytes)
    {
        if (Interlocked.Add(ref held, bytes) <= Total)
        {
            return true;
        }
        Interlocked.Add(ref held, -bytes);
        return false;
    }

    /// <summary>Gives back what a frame took, once it was read or refused.</summary>
    public void Give(long bytes) => Interlocked.Add(ref held, -bytes);
}

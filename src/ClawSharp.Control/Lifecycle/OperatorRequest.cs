using System.Diagnostics;

namespace ClawSharp.Control.Lifecycle;

/// <summary>
/// When the operator asked: the start of this CLI process, not the moment it got through to
/// the gateway. A restart that happened in between already satisfies the request, so a burst
/// of CLIs (or one slow to start) gives one restart, not one each (issue 17, item 1).
/// </summary>
/// <remarks>
/// It must never be earlier than the real request: a generation that started just before the
/// operator asked would wrongly satisfy it, and the restart they asked for would not happen
/// (seen under systemd, where an in-process restart takes 4 ms: 1 request in 30 back to back).
/// The process start time the kernel keeps is rounded down to a clock tick (10 ms), so it is
/// taken one tick later, and never later than <see cref="MarkStarted"/> (the CLI's first line),
/// whichever is earlier: both are upper bounds of the real moment. And it is whole milliseconds,
/// as the intent and the RPC carry it, so that the gateway and this CLI compare the same value.
/// </remarks>
internal static class OperatorRequest
{
    /// <summary>The kernel's clock tick (USER_HZ, 100 on Linux): the precision of a process start time.</summary>
    private static readonly TimeSpan ClockTick = TimeSpan.FromMilliseconds(10);

    private static DateTimeOffset? markedAt;

    private static readonly Lazy<DateTimeOffset> Started = new(() =>
    {
        using var self = Process.GetCurrentProcess();
        var tickLater = new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero) + ClockTick;
        var entered = markedAt ?? DateTimeOffset.UtcNow;
        var at = tickLater < entered ? tickLater : entered;
        return DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
    });

    /// <summary>This CLI's start, in wall-clock time, whole milliseconds (the gateway stamps its generations the same way).</summary>
    public static DateTimeOffset At => Started.Value;

    /// <summary>Called first thing in <c>Main</c>: an upper bound of the moment the operator asked, finer than the kernel's start time.</summary>
    public static void MarkStarted() => markedAt ??= DateTimeOffset.UtcNow;
}

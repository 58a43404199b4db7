using System.Diagnostics;

namespace ClawSharp.Control.Lifecycle;

/// <summary>
/// When the operator asked: the start of this CLI process, not the moment it got through to
/// the gateway. A restart that happened in between already satisfies the request, so a burst
/// of CLIs (or one slow to start) gives one restart, not one each (issue 17, item 1).
/// </summary>
internal static class OperatorRequest
{
    private static readonly Lazy<DateTimeOffset> Started = new(() =>
    {
        using var self = Process.GetCurrentProcess();
        var started = new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero);
        var now = DateTimeOffset.UtcNow;
        return started < now ? started : now;
    });

    /// <summary>This CLI's start, in wall-clock time (the gateway stamps its generations the same way).</summary>
    public static DateTimeOffset At => Started.Value;
}

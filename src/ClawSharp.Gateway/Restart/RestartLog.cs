using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Restart;

/// <summary>Log messages of the drain (a restart's or a stop's); event ids in the gateway's 1000–1099 range, shared with the other lifecycle folders. Tests assert on ids and texts.</summary>
internal static partial class RestartLog
{
    [LoggerMessage(1023, LogLevel.Information, "draining for {Purpose}: {Summary}")]
    public static partial void DrainStarted(ILogger logger, string purpose, string summary);

    [LoggerMessage(1024, LogLevel.Information, "  blocker: {Blocker}")]
    public static partial void DrainBlocker(ILogger logger, string blocker);

    [LoggerMessage(1025, LogLevel.Information, "still draining {Tasks} task(s) and {Runs} run(s)")]
    public static partial void StillDraining(ILogger logger, int tasks, int runs);

    [LoggerMessage(1026, LogLevel.Information, "drain complete in {ElapsedMs:F0} ms; {Next}")]
    public static partial void DrainComplete(ILogger logger, double elapsedMs, string next);

    [LoggerMessage(1027, LogLevel.Warning, "drain budget of {BudgetMs} ms ran out with {Runs} run(s) and {Tasks} task(s) still active; {Next} anyway (cut runs are queued again)")]
    public static partial void DrainBudgetExpired(ILogger logger, long budgetMs, int runs, int tasks, string next);
}

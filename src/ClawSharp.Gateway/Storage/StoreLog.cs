using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Storage;

/// <summary>The store's log events (3300-3319).</summary>
internal static partial class StoreLog
{
    [LoggerMessage(3300, LogLevel.Information, "store retention: deleted {Messages} message(s) with their runs and replies, accepted more than {RetentionDays} day(s) ago")]
    public static partial void FinishedWorkPruned(ILogger logger, int messages, double retentionDays);
}

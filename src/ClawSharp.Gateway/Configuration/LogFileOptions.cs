using Serilog.Events;

namespace ClawSharp.Gateway.Configuration;

/// <summary>The gateway's log file (config object <c>logs</c>).</summary>
internal sealed class LogFileOptions
{
    /// <summary>Smallest accepted rotation size: 1 KiB.</summary>
    public const long MinimumFileBytes = 1024;

    /// <summary>Size at which <c>logs/gateway.log</c> rolls over. Default 100 MB.</summary>
    public long MaxFileBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>How many rolled files are kept besides the current one. Default 3.</summary>
    public int MaxBackups { get; init; } = 3;

    /// <summary>Minimum level written. Default Information.</summary>
    public LogEventLevel Level { get; init; } = LogEventLevel.Information;
}

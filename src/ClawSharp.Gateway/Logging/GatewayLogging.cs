using System.Globalization;
using ClawSharp.Gateway.Configuration;
using Serilog;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace ClawSharp.Gateway.Logging;

/// <summary>
/// The process's logging: console, the rotated file <c>logs/gateway.log</c>, and the in-memory
/// tail. The file is written only from <see cref="BeginFileLogging"/> on, once this process owns
/// the state directory: before that (and for good in a refused duplicate) the console is all.
/// </summary>
internal sealed class GatewayLogging : IDisposable
{
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(60);
    private readonly Serilog.Core.Logger logger;
    private readonly GatewayLogFileSink file;
    private readonly TextWriter warnings;
    private readonly SerilogLoggerFactory serilogFactory;
    private readonly Serilog.Core.LoggingLevelSwitch level;
    private long lastSinkWarningTicks = long.MinValue;

    private GatewayLogging(LoggerConfiguration configuration, RecentLogBuffer recent, StateDirectory state, LogFileOptions options, TextWriter warnings,
        Serilog.Core.LoggingLevelSwitch level)
    {
        this.warnings = warnings;
        this.level = level;
        file = new GatewayLogFileSink(state.LogFile, options, new GatewayJsonFormatter(), WarnSinkFailure);
        logger = configuration.WriteTo.Sink(file).CreateLogger();
        Recent = recent;
        serilogFactory = new SerilogLoggerFactory(logger, dispose: false);
        Factory = new GatewayLoggerFactory(serilogFactory, BeginFileLogging);
    }

    public GatewayLoggerFactory Factory { get; }
    public RecentLogBuffer Recent { get; }

    /// <summary>Builds the loggers; the file waits for <see cref="BeginFileLogging"/>.</summary>
    public static GatewayLogging Create(StateDirectory state, LogFileOptions options, TextWriter warnings)
    {
        var recent = new RecentLogBuffer();
        // A switch, not a fixed level: a config reload changes logs.level live.
        var level = new Serilog.Core.LoggingLevelSwitch(options.Level);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.ControlledBy(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("System", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            // Last, so that it sees every property, those of the log context included.
            .Enrich.With(new SafeLogPropertiesEnricher())
            .WriteTo.Console(
                outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}",
                formatProvider: CultureInfo.InvariantCulture,
                standardErrorFromLevel: LogEventLevel.Warning)
            .WriteTo.Sink(recent);
        var logging = new GatewayLogging(configuration, recent, state, options, warnings, level);
        SelfLog.Enable(message => logging.WarnSinkFailure(message));
        return logging;
    }

    /// <summary>The least level written from now on (<c>logs.level</c>, applied live by a config reload).</summary>
    public LogEventLevel Level
    {
        get => level.MinimumLevel;
        set => level.MinimumLevel = value;
    }

    /// <summary>
    /// Starts writing <c>logs/gateway.log</c>, the events logged so far first; call it once this
    /// process owns the state directory's lock (later calls do nothing). A log directory that
    /// cannot be written (read-only, full, not a directory) never stops the gateway: it warns on
    /// stderr and logs to the console only.
    /// </summary>
    public void BeginFileLogging()
    {
        if (file.Begin() is { } problem)
        {
            warnings.WriteLine($"warning: {problem}; logging to the console only");
        }
    }

    public void Dispose()
    {
        serilogFactory.Dispose();
        logger.Dispose();
        file.Dispose();
        SelfLog.Disable();
    }

    // Sink failures (disk full, file deleted) come here; one line a minute at most.
    private void WarnSinkFailure(string message)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref lastSinkWarningTicks);
        if (last != long.MinValue && now - last < WarningInterval.TotalMilliseconds)
        {
            return;
        }
        Interlocked.Exchange(ref lastSinkWarningTicks, now);
        var firstLine = message.Split('\n', 2)[0].Trim();
        warnings.WriteLine($"warning: log file write failed, the gateway keeps serving: {firstLine}");
    }
}

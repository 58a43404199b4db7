using System.Globalization;
using ClawSharp.Gateway.Configuration;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Extensions.Logging;

namespace ClawSharp.Gateway.Logging;

/// <summary>The process's logging: console, the rotated file <c>logs/gateway.log</c>, and the in-memory tail.</summary>
internal sealed class GatewayLogging : IDisposable
{
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(60);
    private readonly Serilog.Core.Logger logger;
    private long lastSinkWarningTicks = long.MinValue;

    private GatewayLogging(Serilog.Core.Logger logger, RecentLogBuffer recent, string? fileProblem)
    {
        this.logger = logger;
        Recent = recent;
        FileProblem = fileProblem;
        Factory = new SerilogLoggerFactory(logger, dispose: false);
    }

    public ILoggerFactory Factory { get; }
    public RecentLogBuffer Recent { get; }

    /// <summary>Why the log file is not written, or null when it is.</summary>
    public string? FileProblem { get; }

    /// <summary>
    /// Builds the loggers. A log directory that cannot be written (read-only, full, not a
    /// directory) never stops the gateway: it warns on stderr and logs to the console only.
    /// </summary>
    public static GatewayLogging Create(StateDirectory state, LogFileOptions options, TextWriter warnings)
    {
        var recent = new RecentLogBuffer();
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(options.Level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("System", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(
                outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}",
                formatProvider: CultureInfo.InvariantCulture,
                standardErrorFromLevel: LogEventLevel.Warning)
            .WriteTo.Sink(recent);

        var fileProblem = ProbeLogDirectory(state);
        if (fileProblem is null)
        {
            // Serilog's roller names the rolled files gateway_001.log, gateway_002.log …; the
            // retained count includes the file being written.
            configuration = configuration.WriteTo.File(
                new GatewayJsonFormatter(),
                state.LogFile,
                fileSizeLimitBytes: options.MaxFileBytes,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: options.MaxBackups + 1,
                hooks: new PrivateLogFileHooks());
        }
        else
        {
            warnings.WriteLine($"warning: {fileProblem}; logging to the console only");
        }

        var logging = new GatewayLogging(configuration.CreateLogger(), recent, fileProblem);
        SelfLog.Enable(logging.WarnSinkFailure(warnings));
        return logging;
    }

    public void Dispose()
    {
        Factory.Dispose();
        logger.Dispose();
        SelfLog.Disable();
    }

    private static string? ProbeLogDirectory(StateDirectory state)
    {
        try
        {
            StateDirectory.EnsurePrivateDirectory(state.LogsDirectory);
            var options = new FileStreamOptions
            {
                Mode = FileMode.Append,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite | FileShare.Delete,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = Infrastructure.AtomicFile.PrivateFileMode;
            }
            using var _ = new FileStream(state.LogFile, options);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write the log file {state.LogFile}: {e.Message}";
        }
    }

    // Serilog reports sink failures (disk full, file deleted) here; one line a minute at most.
    private Action<string> WarnSinkFailure(TextWriter warnings) => message =>
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
    };
}

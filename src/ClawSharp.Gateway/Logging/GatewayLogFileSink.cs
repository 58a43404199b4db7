using System.Globalization;
using System.Text;
using ClawSharp.Gateway.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace ClawSharp.Gateway.Logging;

/// <summary>
/// The sink of <c>logs/gateway.log</c>. It writes nothing until <see cref="Begin"/> (called
/// once this process owns the state directory's lock: a refused duplicate must not write into
/// the serving gateway's log) and keeps the last events before that to write them first.
/// Every event is formatted whole, then appended with one write() on an O_APPEND descriptor
/// (<see cref="AppendOnlyLogFile"/>), so that lines of several processes never overwrite or
/// split each other; size rotation is <see cref="LogFileRotation"/>. A failed write (a full
/// disk) is reported, never thrown.
/// </summary>
internal sealed class GatewayLogFileSink : ILogEventSink, IDisposable
{
    /// <summary>How long a writer that could not get the rotation lock keeps appending before it tries again (30 s).</summary>
    private static readonly TimeSpan RotationRetry = TimeSpan.FromSeconds(30);
    private long nextRotationAttempt;
    private const int PendingCapacity = 256;
    private readonly string path;
    private readonly LogFileOptions options;
    private readonly ITextFormatter formatter;
    private readonly Action<string> reportFailure;
    private readonly TimeSpan rotationLockWait;
    private readonly Lock gate = new();
    private Queue<byte[]>? pending = new();
    private AppendOnlyLogFile? file;

    /// <param name="path">The current log file (<c>logs/gateway.log</c>).</param>
    /// <param name="options">Rotation size and backups.</param>
    /// <param name="formatter">Formats one event as one line.</param>
    /// <param name="reportFailure">Told why a write failed.</param>
    /// <param name="rotationLockWait">How long to wait for another writer's rotation; default <see cref="LogFileRotation.DefaultLockWait"/>.</param>
    public GatewayLogFileSink(string path, LogFileOptions options, ITextFormatter formatter, Action<string> reportFailure, TimeSpan? rotationLockWait = null)
    {
        this.path = path;
        this.options = options;
        this.formatter = formatter;
        this.reportFailure = reportFailure;
        this.rotationLockWait = rotationLockWait ?? LogFileRotation.DefaultLockWait;
    }

    public void Emit(LogEvent logEvent)
    {
        // Formatted whole before the write: one event is one write() of one line.
        var text = new StringWriter(CultureInfo.InvariantCulture);
        formatter.Format(logEvent, text);
        var line = Encoding.UTF8.GetBytes(text.ToString());
        lock (gate)
        {
            if (pending is not null)
            {
                if (pending.Count == PendingCapacity)
                {
                    pending.Dequeue();
                }
                pending.Enqueue(line);
                return;
            }
            if (file is not null)
            {
                Write(file, line);
            }
        }
    }

    /// <summary>
    /// Opens the file and writes the events kept so far; later events are written as they come.
    /// Returns why the file cannot be written (the gateway then logs to the console only), or
    /// null. Only the first call does anything.
    /// </summary>
    public string? Begin()
    {
        lock (gate)
        {
            if (pending is null)
            {
                return null;
            }
            var kept = pending;
            pending = null;
            try
            {
                StateDirectory.EnsurePrivateDirectory(Path.GetDirectoryName(path)!);
                file = AppendOnlyLogFile.Open(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return $"cannot write the log file {path}: {e.Message}";
            }
            foreach (var line in kept)
            {
                Write(file, line);
            }
            return null;
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            pending = null;
            file?.Dispose();
            file = null;
        }
    }

    private void Write(AppendOnlyLogFile current, byte[] line)
    {
        try
        {
            if (LogFileRotation.IsFull(current.Length, line.Length, options) && Environment.TickCount64 >= nextRotationAttempt)
            {
                var rolled = LogFileRotation.Roll(path, current, line.Length, options, rotationLockWait);
                if (ReferenceEquals(rolled, current))
                {
                    // Another writer holds the rotation lock (stopped, or wedged): keep appending, and do not wait on it at every event.
                    nextRotationAttempt = Environment.TickCount64 + (long)RotationRetry.TotalMilliseconds;
                }
                current = file = rolled;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reportFailure($"rotating {path}: {e.Message}");
        }
        try
        {
            current.Append(line);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reportFailure($"writing {path}: {e.Message}");
        }
    }
}

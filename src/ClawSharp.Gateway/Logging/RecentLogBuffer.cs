using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace ClawSharp.Gateway.Logging;

/// <summary>The last log lines, kept in memory for stability bundles (the file may be the thing that failed).</summary>
internal sealed class RecentLogBuffer(int capacity = 200) : ILogEventSink
{
    private readonly Queue<string> lines = new(capacity);
    private readonly Lock gate = new();

    public void Emit(LogEvent logEvent)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{logEvent.Timestamp.UtcDateTime:O} [{logEvent.Level}] {LogMessageText.Render(logEvent)}");
        if (logEvent.Exception is { } exception)
        {
            line += $" ({exception.GetType().Name}: {exception.Message})";
        }
        lock (gate)
        {
            if (lines.Count == capacity)
            {
                lines.Dequeue();
            }
            lines.Enqueue(line);
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (gate)
        {
            return [.. lines];
        }
    }
}

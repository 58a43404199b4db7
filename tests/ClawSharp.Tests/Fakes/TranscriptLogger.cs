using Microsoft.Extensions.Logging;

namespace ClawSharp.Tests.Fakes;

/// <summary>
/// A logger that adds the run loop's state changes (event 1000, "state A -> B (why)") to the
/// transcript as "A -> B", and keeps every line for assertions on messages.
/// </summary>
internal sealed class TranscriptLogger(Transcript transcript) : ILogger
{
    private const int StateChanged = 1000;
    private readonly List<string> lines = [];
    private readonly Lock gate = new();

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (gate)
            {
                return [.. lines];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = formatter(state, exception);
        lock (gate)
        {
            lines.Add(line);
        }
        if (eventId.Id == StateChanged)
        {
            // "state Running -> Scheduled (reason)" → "Running -> Scheduled"
            transcript.Add(line["state ".Length..line.IndexOf(" (", StringComparison.Ordinal)]);
        }
    }
}

using Serilog.Core;
using Serilog.Events;

namespace ClawSharp.Gateway.Logging;

/// <summary>
/// Runs on every event before any sink (console, <c>gateway.log</c>, the recent-lines buffer):
/// every string property, at any depth, goes through <see cref="SafeLogText"/>. The message
/// templates are the code's own, so once the properties are safe the rendered message is too;
/// no call site that logs a client's string (a <c>client.id</c>, a session key, a header) can
/// forget to clean it. The exception text is left whole: it comes from the runtime.
/// </summary>
internal sealed class SafeLogPropertiesEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? replaced = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (Clean(value) is { } clean)
            {
                (replaced ??= []).Add(new LogEventProperty(name, clean));
            }
        }
        foreach (var property in replaced ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }

    /// <summary>The value with its strings made safe; null when nothing needed it (the usual case, with no allocation).</summary>
    private static LogEventPropertyValue? Clean(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string text } when SafeLogText.NeedsEscaping(text):
                return new ScalarValue(SafeLogText.Escape(text));
            case SequenceValue sequence when sequence.Elements.Any(e => Clean(e) is not null):
                return new SequenceValue(sequence.Elements.Select(e => Clean(e) ?? e));
            case StructureValue structure when structure.Properties.Any(p => Clean(p.Value) is not null):
                return new StructureValue(structure.Properties.Select(p => Clean(p.Value) is { } c ? new LogEventProperty(p.Name, c) : p), structure.TypeTag);
            case DictionaryValue dictionary when dictionary.Elements.Any(e => Clean(e.Key) is not null || Clean(e.Value) is not null):
                return new DictionaryValue(dictionary.Elements.Select(e =>
                    new KeyValuePair<ScalarValue, LogEventPropertyValue>((ScalarValue?)Clean(e.Key) ?? e.Key, Clean(e.Value) ?? e.Value)));
            default:
                return null;
        }
    }
}

using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;

namespace ClawSharp.Gateway.Logging;

/// <summary>
/// One JSON object per line in the compact (CLEF) layout, with the message rendered as the
/// console renders it (<c>{Message:lj}</c>: strings unquoted), so that <c>@m</c> reads as a
/// sentence while every property stays available as structured data.
/// </summary>
internal sealed class GatewayJsonFormatter : ITextFormatter
{
    private static readonly JsonValueFormatter Values = new(typeTagName: "$type");

    public void Format(LogEvent logEvent, TextWriter output)
    {
        output.Write("{\"@t\":\"");
        output.Write(logEvent.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        output.Write("\",\"@m\":");
        JsonValueFormatter.WriteQuotedJsonString(LogMessageText.Render(logEvent), output);
        if (logEvent.Level != LogEventLevel.Information)
        {
            output.Write(",\"@l\":\"");
            output.Write(logEvent.Level);
            output.Write('"');
        }
        if (logEvent.Exception is not null)
        {
            output.Write(",\"@x\":");
            JsonValueFormatter.WriteQuotedJsonString(logEvent.Exception.ToString(), output);
        }
        foreach (var (name, value) in logEvent.Properties)
        {
            output.Write(',');
            JsonValueFormatter.WriteQuotedJsonString(name.StartsWith('@') ? "@" + name : name, output);
            output.Write(':');
            Values.Format(value, output);
        }
        output.Write('}');
        output.Write('\n');
    }
}

using System.Globalization;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace ClawSharp.Gateway.Logging;

/// <summary>Renders an event's message as the console shows it (<c>{Message:lj}</c>: strings unquoted), for the file and the bundles.</summary>
internal static class LogMessageText
{
    private static readonly MessageTemplateTextFormatter Renderer = new("{Message:lj}", CultureInfo.InvariantCulture);

    public static string Render(LogEvent logEvent)
    {
        var message = new StringWriter(CultureInfo.InvariantCulture);
        Renderer.Format(logEvent, message);
        return message.ToString();
    }
}

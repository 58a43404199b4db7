using System.Globalization;
using System.Text;
using System.Xml;

namespace ClawSharp.Control.Services.Launchd;

/// <summary>
/// Renders the gateway's launchd job as an XML property list. Pure. The plist holds no secret:
/// <c>EnvironmentVariables</c> carries only <see cref="ServiceDefinition.Environment"/>, which names
/// the owner-only environment file (<c>CLAWSHARP_ENV_FILE</c>) that the gateway loads itself.
/// </summary>
internal static class LaunchdPlist
{
    /// <summary>
    /// The job's process type. Not <c>Background</c>: launchd throttles a background job's CPU and
    /// disk I/O, and the gateway answers people in real time. <c>Standard</c> is launchd's default, said explicitly.
    /// </summary>
    public const string ProcessType = "Standard";

    /// <exception cref="ServiceCommandException">A value holds a character XML cannot carry (a control character).</exception>
    public static string Render(ServiceDefinition definition)
    {
        var text = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        try
        {
            using (var xml = XmlWriter.Create(new Utf8StringWriter(text), settings))
            {
                xml.WriteStartDocument();
                xml.WriteDocType("plist", "-//Apple//DTD PLIST 1.0//EN", "http://www.apple.com/DTDs/PropertyList-1.0.dtd", null);
                xml.WriteStartElement("plist");
                xml.WriteAttributeString("version", "1.0");
                xml.WriteStartElement("dict");
                WriteEntries(xml, definition);
                xml.WriteEndElement();
                xml.WriteEndElement();
                xml.WriteEndDocument();
            }
        }
        catch (ArgumentException e)
        {
            throw new ServiceCommandException($"cannot write the launchd property list: {e.Message}");
        }
        return text.Append('\n').ToString();
    }

    /// <summary>
    /// launchd's <c>ThrottleInterval</c> (whole seconds, at least 1): not a delay after an exit but
    /// the least time between two starts of the job. A gateway that ran longer than this is started
    /// again at once; one that died sooner waits out the rest (launchd's default is 10 s).
    /// </summary>
    public static int ThrottleSeconds(TimeSpan restartDelay) => Math.Max(1, (int)Math.Ceiling(restartDelay.TotalSeconds));

    private static void WriteEntries(XmlWriter xml, ServiceDefinition definition)
    {
        String(xml, "Label", definition.Name);
        xml.WriteElementString("key", "ProgramArguments");
        xml.WriteStartElement("array");
        foreach (var argument in definition.Command)
        {
            xml.WriteElementString("string", argument);
        }
        xml.WriteEndElement();
        xml.WriteElementString("key", "EnvironmentVariables");
        xml.WriteStartElement("dict");
        foreach (var (key, value) in definition.Environment.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            String(xml, key, value);
        }
        xml.WriteEndElement();
        if (definition.Scope == ServiceScope.System && definition.User is { Length: > 0 } user)
        {
            String(xml, "UserName", user);
        }
        String(xml, "WorkingDirectory", definition.State.Root);
        // KeepAlive true restarts the gateway however it exits, 0 included: a stop goes through
        // 'launchctl bootout', which unloads the job, never through a bare SIGTERM.
        Boolean(xml, "KeepAlive", true);
        Boolean(xml, "RunAtLoad", true);
        Integer(xml, "ThrottleInterval", ThrottleSeconds(definition.RestartDelay));
        // The SIGTERM → SIGKILL wait of a stop or a 'kickstart -k' (launchd's default is 20 s).
        Integer(xml, "ExitTimeOut", (int)Math.Ceiling(definition.StopTimeout.TotalSeconds));
        String(xml, "ProcessType", ProcessType);
        String(xml, "StandardOutPath", definition.ServiceLogFile);
        String(xml, "StandardErrorPath", definition.ServiceLogFile);
    }

    private static void String(XmlWriter xml, string key, string value)
    {
        xml.WriteElementString("key", key);
        xml.WriteElementString("string", value);
    }

    private static void Boolean(XmlWriter xml, string key, bool value)
    {
        xml.WriteElementString("key", key);
        xml.WriteStartElement(value ? "true" : "false");
        xml.WriteEndElement();
    }

    private static void Integer(XmlWriter xml, string key, int value)
    {
        xml.WriteElementString("key", key);
        xml.WriteElementString("integer", value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A StringWriter that declares UTF-8, so that the XML declaration says what launchd reads.</summary>
    private sealed class Utf8StringWriter(StringBuilder text) : StringWriter(text, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}

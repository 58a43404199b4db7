namespace ClawSharp.Gateway.Configuration;

/// <summary>A configuration that must not start the gateway; the message names the key and the file.</summary>
/// <param name="message">For people: names the key and the file.</param>
/// <param name="key">The dotted key at fault (<c>daemon.crashLimit</c>), when one is.</param>
/// <param name="file">The file at fault (config.json, a password file), when one is.</param>
internal sealed class ConfigException(string message, string? key = null, string? file = null) : Exception(message)
{
    /// <summary>The dotted key at fault, when one is.</summary>
    public string? Key => key;

    /// <summary>The file at fault, when one is.</summary>
    public string? File => file;

    /// <summary>"config invalid at KEY (FILE)", as <c>status</c> and the supervisor name it.</summary>
    public string Summary => (key, file) switch
    {
        ({ } k, { } f) => $"config invalid at {k} ({f})",
        ({ } k, null) => $"config invalid at {k}",
        (null, { } f) => $"config invalid ({f})",
        _ => "config invalid",
    };
}

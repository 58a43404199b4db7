namespace ClawSharp.Gateway.Configuration;

/// <summary>A configuration that must not start the gateway; the message names the key and the file.</summary>
internal sealed class ConfigException(string message) : Exception(message);

namespace ClawSharp.Control.Client;

/// <summary>The gateway answered with an error, refused the handshake, or could not be reached.</summary>
internal sealed class GatewayCallException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

namespace ClawSharp.Control.Client;

/// <summary>The gateway answered with an error, refused the handshake, or could not be reached.</summary>
internal sealed class GatewayCallException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    /// <summary>
    /// The connection went away, or the gateway turned it away because it is closing (the
    /// <c>UNAVAILABLE</c> "gateway is shutting down … reconnect shortly" of a new connection):
    /// a restart may be under way. A refusal of the request itself is not this.
    /// </summary>
    public bool GatewayWentAway =>
        Code is "CLOSED" or "UNREACHABLE" || (Code == "UNAVAILABLE" && Message.StartsWith("gateway is shutting down", StringComparison.Ordinal));

    /// <summary>
    /// <see cref="GatewayWentAway"/>, or the lock named no gateway (<c>NOT_RUNNING</c>): between
    /// two generations the lock is empty for a moment, so with a gateway on its way back this
    /// too means "restarting".
    /// </summary>
    public bool MayBeRestarting => GatewayWentAway || Code == "NOT_RUNNING";
}

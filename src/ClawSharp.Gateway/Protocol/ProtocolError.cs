using System.Text.Json;

namespace ClawSharp.Gateway.Protocol;

/// <summary>The <c>error</c> object of a failed response.</summary>
internal sealed record ProtocolError(string Code, string Message)
{
    public bool? Retryable { get; init; }
    public long? RetryAfterMs { get; init; }

    /// <summary>Writes the optional <c>details</c> object's members.</summary>
    public Action<Utf8JsonWriter>? Details { get; init; }

    public static ProtocolError Invalid(string message) => new(ErrorCodes.InvalidRequest, message);

    /// <summary>The refusal of new work while the gateway drains for a restart: retryable, with a hint of when.</summary>
    public static ProtocolError Draining() => new(ErrorCodes.GatewayDraining, Work.DrainGate.Message)
    {
        Retryable = true,
        RetryAfterMs = (long)Work.DrainGate.RetryAfter.TotalMilliseconds,
    };
}

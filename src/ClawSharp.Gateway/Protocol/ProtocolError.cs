using System.Text.Json;

namespace ClawSharp.Gateway.Protocol;

/// <summary>The <c>error</c> object of a failed response.</summary>
public sealed record ProtocolError(string Code, string Message)
{
    public bool? Retryable { get; init; }
    public long? RetryAfterMs { get; init; }

    /// <summary>Writes the optional <c>details</c> object's members.</summary>
    public Action<Utf8JsonWriter>? Details { get; init; }

    public static ProtocolError Invalid(string message) => new(ErrorCodes.InvalidRequest, message);
}

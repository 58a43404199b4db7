using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ClawSharp.Gateway.Protocol;

/// <summary>What a method handler answers: a payload writer or an error.</summary>
internal readonly record struct MethodResult(Action<Utf8JsonWriter>? Payload, ProtocolError? Error)
{
    /// <summary>
    /// For long calls that answer twice with the same id: the first answer is the
    /// acknowledgement (<c>status: "accepted"</c>), this produces the final one.
    /// </summary>
    public Func<CancellationToken, Task<MethodResult>>? Final { get; init; }

    /// <summary>Runs once the response has been sent: a restart must not close the socket before its answer left.</summary>
    public Action? AfterResponse { get; init; }

    public static MethodResult Ok<T>(T value, JsonTypeInfo<T> typeInfo) =>
        new(writer => JsonSerializer.Serialize(writer, value, typeInfo), null);

    public static MethodResult Fail(ProtocolError error) => new(null, error);
}

using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ClawSharp.Gateway.Protocol;

/// <summary>Serializes outgoing frames with a Utf8JsonWriter (no reflection: AOT-safe).</summary>
internal static class FrameWriter
{
    // JSON is not embedded in HTML here: '+', '<' and non-ASCII text stay as they are.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Response(string id, Action<Utf8JsonWriter> writePayload) => Write(writer =>
    {
        writer.WriteString("type", "res");
        writer.WriteString("id", id);
        writer.WriteBoolean("ok", true);
        writer.WritePropertyName("payload");
        writePayload(writer);
    });

    public static byte[] Error(string id, ProtocolError error) => Write(writer =>
    {
        writer.WriteString("type", "res");
        writer.WriteString("id", id);
        writer.WriteBoolean("ok", false);
        writer.WritePropertyName("error");
        WriteErrorObject(writer, error);
    });

    /// <summary>The <c>error</c> object alone, as HTTP endpoints answer it.</summary>
    public static byte[] ErrorBody(ProtocolError error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            WriteErrorObject(writer, error);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteErrorObject(Utf8JsonWriter writer, ProtocolError error)
    {
        writer.WriteStartObject();
        writer.WriteString("code", error.Code);
        writer.WriteString("message", error.Message);
        if (error.Details is { } details)
        {
            writer.WriteStartObject("details");
            details(writer);
            writer.WriteEndObject();
        }
        if (error.Retryable is { } retryable)
        {
            writer.WriteBoolean("retryable", retryable);
        }
        if (error.RetryAfterMs is { } retryAfter)
        {
            writer.WriteNumber("retryAfterMs", retryAfter);
        }
        writer.WriteEndObject();
    }

    /// <summary>An event; <paramref name="seq"/> is null only for the pre-handshake challenge.</summary>
    public static byte[] Event(string name, Action<Utf8JsonWriter> writePayload, long? seq) => Write(writer =>
    {
        writer.WriteString("type", "event");
        writer.WriteString("event", name);
        writer.WritePropertyName("payload");
        writePayload(writer);
        if (seq is { } sequence)
        {
            writer.WriteNumber("seq", sequence);
        }
    });

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

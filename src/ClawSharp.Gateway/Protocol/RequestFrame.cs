using System.Text.Json;

namespace ClawSharp.Gateway.Protocol;

/// <summary>The fields of an incoming frame, each null when absent or of the wrong kind.</summary>
internal readonly record struct RequestFrame(string? Type, string? Id, string? Method, JsonElement Params)
{
    public static RequestFrame From(JsonElement frame) => new(
        StringOrNull(frame, "type"),
        StringOrNull(frame, "id"),
        StringOrNull(frame, "method"),
        frame.TryGetProperty("params", out var p) ? p : default);

    private static string? StringOrNull(JsonElement frame, string name) =>
        frame.TryGetProperty(name, out var value) ? JsonText.Of(value) : null;
}

using System.Text.Json;

namespace ClawSharp.Gateway.Protocol;

/// <summary>
/// A client's JSON string read without throwing: an escaped lone surrogate (<c>"\ud800"</c>) is
/// valid JSON, but <see cref="JsonElement.GetString"/> throws on it, so every frame field read
/// before a handler runs goes through here and such a value counts as absent.
/// </summary>
internal static class JsonText
{
    /// <summary>The text of <paramref name="value"/>; null when it is not a string or its escapes make no valid text.</summary>
    public static string? Of(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}

using System.Text.Json;

namespace ClawSharp.Gateway.Protocol;

/// <summary>The parts of <c>connect</c> params the gateway acts on.</summary>
internal sealed record ConnectParams(int MinProtocol, int MaxProtocol, string ClientId, string ClientMode, string Role, IReadOnlySet<string> Scopes)
{
    /// <summary>
    /// Null when valid, else what is wrong. <see cref="Scopes"/> is what the client asks for (maybe
    /// none); what it gets is decided against its credential by <see cref="ScopeGrant"/>.
    /// </summary>
    public static string? Validate(JsonElement value, out ConnectParams connect)
    {
        connect = null!;
        if (value.ValueKind != JsonValueKind.Object)
        {
            return "params must be an object";
        }
        if (!TryInt(value, "minProtocol", out var min) || !TryInt(value, "maxProtocol", out var max))
        {
            return "minProtocol and maxProtocol must be integers";
        }
        if (!value.TryGetProperty("client", out var client) || client.ValueKind != JsonValueKind.Object)
        {
            return "client must be an object";
        }
        var id = client.TryGetProperty("id", out var idValue) ? JsonText.Of(idValue) : null;
        if (string.IsNullOrWhiteSpace(id))
        {
            return "client.id must be a non-empty string";
        }
        var mode = (client.TryGetProperty("mode", out var m) ? JsonText.Of(m) : null) ?? "cli";
        var role = (value.TryGetProperty("role", out var r) ? JsonText.Of(r) : null) ?? "operator";
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        if (value.TryGetProperty("scopes", out var requested) && requested.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
        {
            // A string or an object was ignored before, and the credential's every scope granted: the client meant fewer.
            return "scopes must be an array of strings";
        }
        if (requested.ValueKind == JsonValueKind.Array)
        {
            foreach (var scope in requested.EnumerateArray())
            {
                if (JsonText.Of(scope) is not { } name)
                {
                    return "scopes must be strings";
                }
                scopes.Add(name);
            }
        }
        connect = new ConnectParams(min, max, id, mode, role, scopes);
        return null;
    }

    private static bool TryInt(JsonElement value, string name, out int number)
    {
        number = 0;
        return value.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out number);
    }
}

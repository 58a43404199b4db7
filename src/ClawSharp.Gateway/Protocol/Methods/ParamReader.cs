using System.Text;
using System.Text.Json;

namespace ClawSharp.Gateway.Protocol.Methods;

/// <summary>Reads request params; the first problem becomes <see cref="Error"/> (INVALID_REQUEST naming the field).</summary>
internal sealed class ParamReader
{
    private readonly JsonElement parameters;
    private readonly string method;

    public ParamReader(string method, JsonElement parameters)
    {
        this.method = method;
        this.parameters = parameters;
        if (parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            Error = ProtocolError.Invalid($"invalid {method} params: expected an object");
        }
    }

    public ProtocolError? Error { get; private set; }

    public string? String(string name, bool required, int maxBytes)
    {
        if (Error is not null)
        {
            return null;
        }
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Fail($"{name} is required");
            }
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            Fail($"{name} must be a string");
            return null;
        }
        var text = value.GetString()!;
        if (required && text.Trim().Length == 0)
        {
            Fail($"{name} must not be empty");
            return null;
        }
        if (Encoding.UTF8.GetByteCount(text) > maxBytes)
        {
            Fail($"{name} is too large: the limit is {maxBytes} bytes");
            return null;
        }
        return text;
    }

    public long? Integer(string name, long min, long max)
    {
        if (Error is not null || !TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number) || number < min || number > max)
        {
            Fail($"{name} must be an integer from {min} to {max}");
            return null;
        }
        return number;
    }

    public bool Boolean(string name)
    {
        if (Error is not null || !TryGet(name, out var value))
        {
            return false;
        }
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }
        Fail($"{name} must be true or false");
        return false;
    }

    public void Fail(string problem) => Error ??= ProtocolError.Invalid($"invalid {method} params: {problem}");

    private bool TryGet(string name, out JsonElement value)
    {
        value = default;
        return parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out value);
    }
}

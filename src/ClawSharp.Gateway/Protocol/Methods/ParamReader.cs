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

    /// <summary>
    /// The shape every method's params must have, checked by the dispatcher before any handler
    /// runs: absent, null or an object, whose property names are all in <paramref name="accepted"/>.
    /// Null when they do; otherwise INVALID_REQUEST naming the first stray property.
    /// </summary>
    public static ProtocolError? CheckShape(string method, JsonElement parameters, IReadOnlySet<string> accepted)
    {
        if (parameters.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return ProtocolError.Invalid($"invalid {method} params: expected an object");
        }
        foreach (var property in parameters.EnumerateObject())
        {
            if (!accepted.Contains(property.Name))
            {
                return ProtocolError.Invalid($"invalid {method} params: unexpected property '{Printable(property.Name)}'");
            }
        }
        return null;
    }

    /// <summary>Refuses any property of these params not in <paramref name="accepted"/> (a nested object's own closed set).</summary>
    public void AllowOnly(params string[] accepted)
    {
        if (Error is null && parameters.ValueKind == JsonValueKind.Object)
        {
            Error = CheckShape(method, parameters, accepted.ToHashSet(StringComparer.Ordinal));
        }
    }

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
        string text;
        try
        {
            text = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\ud800") is valid JSON but no text: refused like any other bad value.
            Fail($"{name} is not valid Unicode text");
            return null;
        }
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

    /// <summary>A client's property name as the error message quotes it: at most 64 characters.</summary>
    private static string Printable(string name) => name.Length <= 64 ? name : name[..64] + "…";

    private bool TryGet(string name, out JsonElement value)
    {
        value = default;
        return parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out value);
    }
}

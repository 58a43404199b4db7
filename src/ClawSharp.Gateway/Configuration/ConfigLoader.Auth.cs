using System.Text.Json;

namespace ClawSharp.Gateway.Configuration;

/// <summary>The keys that say who may reach the gateway and with what: tokens, scopes, web origins.</summary>
internal static partial class ConfigLoader
{
    private const int MaxTokenNameLength = 64;

    /// <summary>Names the gateway gives its own credentials (logged as who connected): a configured token may not take them.</summary>
    private static readonly string[] ReservedTokenNames = ["owner", "anonymous"];

    private static string ReadToken(JsonElement value, Builder b, string key)
    {
        var token = ReadNonEmpty(value, b, key);
        return token.Length >= GatewayOptions.MinimumTokenLength ? token : throw b.Invalid(key, TooShort(token));
    }

    /// <summary>Never quotes the secret itself: the message reaches logs, <c>status</c> and <c>start-failed.json</c>.</summary>
    private static string TooShort(string token) =>
        $"must be at least {GatewayOptions.MinimumTokenLength} characters, got {token.Length} (a random one: openssl rand -base64 32)";

    private static IReadOnlySet<string> ReadScopes(JsonElement value, Builder b, string key, IReadOnlyList<string> allowed)
    {
        var expected = "an array of " + string.Join(", ", allowed);
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw b.InvalidValue(key, value, expected);
        }
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !allowed.Contains(item.GetString()!))
            {
                throw b.Invalid(key, $"must be {expected}, got {Builder.Describe(item)}");
            }
            scopes.Add(item.GetString()!);
        }
        return scopes;
    }

    private static IReadOnlySet<string> ReadNoneScopes(JsonElement value, Builder b, string key)
    {
        if (value.ValueKind == JsonValueKind.Array
            && value.EnumerateArray().Any(item => item.ValueKind == JsonValueKind.String && item.GetString() == ScopeNames.Admin))
        {
            throw b.Invalid(key, $"must not hold {ScopeNames.Admin}: without auth, every program and web page on this host would hold it");
        }
        return ReadScopes(value, b, key, [ScopeNames.Read, ScopeNames.Write]);
    }

    private static IReadOnlyList<string> ReadOrigins(JsonElement value, Builder b, string key)
    {
        const string expected = "an array of web origins such as \"https://dashboard.example:8443\" (scheme, host, optional port; no path)";
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw b.InvalidValue(key, value, expected);
        }
        var origins = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !WebOrigin.TryNormalize(item.GetString(), out var origin))
            {
                throw b.Invalid(key, $"must be {expected}, got {Builder.Describe(item)}");
            }
            if (!origins.Contains(origin))
            {
                origins.Add(origin);
            }
        }
        return origins;
    }

    /// <summary><c>[{ "name": "dashboard-ro", "token": "…", "scopes": ["operator.read"] }, …]</c>: names and tokens unique.</summary>
    private static IReadOnlyList<NamedToken> ReadNamedTokens(JsonElement value, Builder b, string key)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw b.InvalidValue(key, value, "an array of { \"name\", \"token\", \"scopes\" } objects");
        }
        var tokens = new List<NamedToken>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemKey = $"{key}[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw b.InvalidValue(itemKey, item, "an object with name, token and scopes");
            }
            string? name = null;
            string? token = null;
            IReadOnlySet<string>? scopes = null;
            foreach (var member in item.EnumerateObject())
            {
                var memberKey = $"{itemKey}.{member.Name}";
                switch (member.Name)
                {
                    case "name":
                        name = ReadTokenName(member.Value, b, memberKey);
                        break;
                    case "token":
                        token = ReadToken(member.Value, b, memberKey);
                        break;
                    case "scopes":
                        scopes = ReadScopes(member.Value, b, memberKey, ScopeNames.Known);
                        break;
                    default:
                        b.Warnings.Add($"unknown config key '{memberKey}' in {b.Path} (ignored)");
                        break;
                }
            }
            if (name is null || token is null || scopes is null)
            {
                throw b.Invalid(itemKey, "needs name, token and scopes");
            }
            if (tokens.Any(t => t.Name == name))
            {
                throw b.Invalid($"{itemKey}.name", $"repeats the name \"{name}\": names must be unique");
            }
            if (tokens.FirstOrDefault(t => t.Token == token) is { } same)
            {
                throw b.Invalid($"{itemKey}.token", $"is the same as the token of \"{same.Name}\": tokens must be unique");
            }
            tokens.Add(new NamedToken(name, token, scopes));
        }
        return tokens;
    }

    private static string ReadTokenName(JsonElement value, Builder b, string key)
    {
        var name = ReadString(value, b, key);
        // The name is logged as who connected: a plain word, so it cannot forge or garble a log line.
        var plain = name.Length is > 0 and <= MaxTokenNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        if (!plain)
        {
            throw b.Invalid(key, $"must be 1 to {MaxTokenNameLength} characters of A-Z, a-z, 0-9, '.', '_' and '-', got {Builder.Describe(value)}");
        }
        return ReservedTokenNames.Contains(name, StringComparer.OrdinalIgnoreCase)
            ? throw b.Invalid(key, $"must not be \"{name}\": the gateway names its own credentials so")
            : name;
    }

    private sealed partial class Builder
    {
        /// <summary>Checks that need the whole file and the flags: a short <c>--token</c>, a named token that repeats the owner's secret.</summary>
        private void CheckSecrets()
        {
            if (TokenFromFlag && Token is { } flagToken && flagToken.Length < GatewayOptions.MinimumTokenLength)
            {
                throw new ConfigException($"--token {TooShort(flagToken)}", "--token");
            }
            for (var i = 0; i < Tokens.Count; i++)
            {
                if (Tokens[i].Token == Token || Tokens[i].Token == Password)
                {
                    var owner = Tokens[i].Token == Token ? (TokenFromFlag ? "--token" : "gateway.auth.token") : "gateway.auth.password";
                    throw Invalid($"gateway.auth.tokens[{i}].token", $"is the owner's secret ({owner}): a named token must differ from it");
                }
            }
        }
    }
}

using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Cli.Commands;

/// <summary>
/// <c>clawsharp config get|set|validate</c>: reads and edits <c>config.json</c> in place, with the
/// gateway's own validation (<see cref="ConfigLoader"/>). <c>set</c> writes atomically (temp file,
/// rename, 0600), keeps the other keys and their order, and leaves the file as it was when the
/// result would not validate. A running gateway sees the change through its watcher.
/// </summary>
internal static class ConfigCommand
{
    // As ConfigLoader reads the file: a key given twice is refused (JsonObject threw on it, a crash).
    private static readonly JsonDocumentOptions ReadOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, AllowDuplicateProperties = false };

    public static Command Build()
    {
        var config = new Command("config", "Read, change and check config.json (a running gateway applies a change by gateway.reload.mode).");
        config.Subcommands.Add(Get());
        config.Subcommands.Add(Set());
        config.Subcommands.Add(Validate());
        return config;
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "Print one JSON document, whatever the outcome" };

    private static Command Get()
    {
        var key = new Argument<string>("key") { Description = "Dotted key, e.g. gateway.port" };
        var json = JsonOption();
        var command = new Command("get", "Print the value in effect for KEY (from the file, or the default) and where it comes from.") { key, json };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var name = parse.GetValue(key)!;
            if (!TryStateForKey(parse, asJson, name, out var state, out var refused))
            {
                return refused;
            }
            if (!TryReadRoot(state.ConfigFile, out var root, out var problem))
            {
                return Fail(asJson, ExitCode.Failure, problem, null, state.ConfigFile);
            }
            var node = Find(root, name, out var present);
            var source = present ? "file" : "default";
            string rendered;
            if (present)
            {
                rendered = node?.ToJsonString() ?? "null";
            }
            else if (ConfigReloadTable.TryEffective(name, new GatewayConfig(), out var value))
            {
                rendered = Literal(value);
            }
            else
            {
                rendered = "null";
            }
            var kind = ConfigReloadTable.KindOf(name) == ReloadKind.Hot ? "hot" : "restart";
            if (asJson)
            {
                CliOutput.WriteJson(w =>
                {
                    w.WriteStartObject();
                    w.WriteBoolean("ok", true);
                    w.WriteString("key", name);
                    w.WritePropertyName("value");
                    using (var parsed = JsonDocument.Parse(rendered))
                    {
                        parsed.RootElement.WriteTo(w);
                    }
                    w.WriteString("source", source);
                    w.WriteString("reload", kind);
                    w.WriteString("file", state.ConfigFile);
                    w.WriteEndObject();
                });
                return 0;
            }
            Console.Out.WriteLine(rendered);
            Console.Error.WriteLine(present ? $"({name}: from {state.ConfigFile}; a change applies {Describe(kind)})" : $"({name}: default; not set in {state.ConfigFile})");
            return 0;
        });
        return command;
    }

    private static Command Set()
    {
        var key = new Argument<string>("key") { Description = "Dotted key, e.g. gateway.port" };
        var value = new Argument<string>("value")
        {
            Description = "JSON value: 18800 is a number, true/false booleans, [..] and {..} JSON literals; anything else (or \"quoted\") a string",
        };
        var json = JsonOption();
        var command = new Command("set", "Set KEY to VALUE in config.json, atomically, if the result validates (else the file is left as it was).") { key, value, json };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            var name = parse.GetValue(key)!;
            if (!TryStateForKey(parse, asJson, name, out var state, out var refused))
            {
                return refused;
            }
            if (!TryReadRoot(state.ConfigFile, out var root, out var problem))
            {
                return Fail(asJson, ExitCode.Failure, problem + "; fix the file first (config validate names the fault)", null, state.ConfigFile);
            }
            var node = ParseValue(parse.GetValue(value)!);
            if (!TryPut(root, name, node, out problem))
            {
                return Fail(asJson, ExitCode.Failure, problem, name, state.ConfigFile);
            }
            var text = Render(root);
            try
            {
                ConfigLoader.Parse(text, state.ConfigFile);
            }
            catch (ConfigException e)
            {
                return Fail(asJson, ExitCode.Failure, $"not set: {e.Message}", e.Key ?? name, state.ConfigFile);
            }
            try
            {
                Directory.CreateDirectory(state.Root);
                AtomicFile.WriteAllText(state.ConfigFile, text);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Fail(asJson, ExitCode.Failure, $"cannot write {state.ConfigFile}: {e.Message}", name, state.ConfigFile);
            }
            var kind = ConfigReloadTable.KindOf(name) == ReloadKind.Hot ? "hot" : "restart";
            if (asJson)
            {
                CliOutput.WriteJson(w =>
                {
                    w.WriteStartObject();
                    w.WriteBoolean("ok", true);
                    w.WriteString("key", name);
                    w.WritePropertyName("value");
                    using (var parsed = JsonDocument.Parse(node?.ToJsonString() ?? "null"))
                    {
                        parsed.RootElement.WriteTo(w);
                    }
                    w.WriteString("reload", kind);
                    w.WriteString("file", state.ConfigFile);
                    w.WriteEndObject();
                });
                return 0;
            }
            Console.Out.WriteLine($"{name} = {node?.ToJsonString() ?? "null"} in {state.ConfigFile}; a running gateway applies it {Describe(kind)}");
            return 0;
        });
        return command;
    }

    private static Command Validate()
    {
        var json = JsonOption();
        var command = new Command("validate", "Check config.json as the gateway would load it; exit 1 naming the key and the file when it is invalid.") { json };
        command.SetAction(parse =>
        {
            var asJson = parse.GetValue(json);
            if (!TryState(parse, asJson, out var state))
            {
                return (int)ExitCode.Usage;
            }
            GatewayConfig loaded;
            try
            {
                loaded = ConfigLoader.Load(state);
            }
            catch (ConfigException e)
            {
                return Fail(asJson, ExitCode.Failure, e.Message, e.Key, state.ConfigFile, valid: false);
            }
            var exists = File.Exists(state.ConfigFile);
            if (asJson)
            {
                CliOutput.WriteJson(w =>
                {
                    w.WriteStartObject();
                    w.WriteBoolean("ok", true);
                    w.WriteBoolean("valid", true);
                    w.WriteString("file", state.ConfigFile);
                    w.WriteBoolean("exists", exists);
                    w.WriteStartArray("warnings");
                    foreach (var warning in loaded.Warnings)
                    {
                        w.WriteStringValue(warning);
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return 0;
            }
            foreach (var warning in loaded.Warnings)
            {
                Console.Error.WriteLine($"warning: {warning}");
            }
            Console.Out.WriteLine(exists ? $"{state.ConfigFile} is valid" : $"{state.ConfigFile} does not exist: the defaults are valid");
            return 0;
        });
        return command;
    }

    /// <summary>The state directory, and KEY known to the loader; otherwise the usage error already printed and its exit code.</summary>
    private static bool TryStateForKey(ParseResult parse, bool asJson, string name, out StateDirectory state, out int exit)
    {
        if (!TryState(parse, asJson, out state))
        {
            exit = (int)ExitCode.Usage;
            return false;
        }
        if (!ConfigLoader.Keys.Contains(name))
        {
            exit = Fail(asJson, ExitCode.Usage, UnknownKey(name), name, state.ConfigFile);
            return false;
        }
        exit = 0;
        return true;
    }

    private static bool TryState(ParseResult parse, bool asJson, out StateDirectory state)
    {
        try
        {
            state = GlobalOptions.ResolveState(parse);
            return true;
        }
        catch (ArgumentException e)
        {
            Fail(asJson, ExitCode.Usage, e.Message, null, null);
            state = null!;
            return false;
        }
    }

    private static int Fail(bool asJson, ExitCode code, string message, string? key, string? file, bool? valid = null)
    {
        if (!asJson)
        {
            return CliOutput.Fail(code, message);
        }
        CliOutput.WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", false);
            if (valid is { } v)
            {
                w.WriteBoolean("valid", v);
            }
            w.WriteString("error", message);
            if (key is not null)
            {
                w.WriteString("key", key);
            }
            if (file is not null)
            {
                w.WriteString("file", file);
            }
            w.WriteNumber("exitCode", (int)code);
            w.WriteEndObject();
        });
        return (int)code;
    }

    private static string Describe(string kind) => kind == "hot" ? "live (hot)" : "at the next restart (gateway.reload.mode hybrid restarts safely by itself)";

    /// <summary>"unknown config key 'X'", with the known keys that look like it.</summary>
    private static string UnknownKey(string key)
    {
        var last = key.Split('.')[^1];
        var first = key.Split('.')[0];
        var near = ConfigLoader.Keys
            .Where(k => k.EndsWith("." + last, StringComparison.OrdinalIgnoreCase) || k.StartsWith(key + ".", StringComparison.Ordinal)
                || k.Equals(key, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (near.Count == 0)
        {
            near = [.. ConfigLoader.Keys.Where(k => k.StartsWith(first + ".", StringComparison.Ordinal))];
        }
        // The closest first: a typo's key must not fall past the eight named.
        var hint = near.Count > 0 ? $"; did you mean {string.Join(", ", near.OrderBy(k => EditDistance(k, key)).ThenBy(k => k, StringComparer.Ordinal).Take(8))}?" : $"; known keys start with {string.Join(", ", ConfigLoader.Keys.Select(k => k.Split('.')[0]).Distinct().Order(StringComparer.Ordinal))}";
        return $"unknown config key '{key}'{hint}";
    }

    /// <summary>Levenshtein distance: how many characters to insert, delete or change to turn one into the other.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }

    /// <summary>A JSON literal as typed (<c>18800</c>, <c>true</c>, <c>[1]</c>, <c>"x"</c>), else the text as a string.</summary>
    private static JsonNode? ParseValue(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static bool TryReadRoot(string file, out JsonObject root, out string problem)
    {
        root = [];
        problem = "";
        if (ConfigLoader.DirectoryInPlaceOfTheFile(file) is { } inTheWay)
        {
            problem = inTheWay;
            return false;
        }
        if (!File.Exists(file))
        {
            return true;
        }
        try
        {
            var text = File.ReadAllText(file);
            if (string.IsNullOrWhiteSpace(text))
            {
                return true;
            }
            if (JsonNode.Parse(text, documentOptions: ReadOptions) is JsonObject parsed)
            {
                root = parsed;
                return true;
            }
            problem = $"config file {file} must hold a JSON object";
            return false;
        }
        catch (JsonException e)
        {
            problem = $"config file {file} is not valid JSON: {e.Message}";
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read config file {file}: {e.Message}";
            return false;
        }
    }

    private static JsonNode? Find(JsonObject root, string key, out bool present)
    {
        JsonNode? node = root;
        foreach (var part in key.Split('.'))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(part, out node))
            {
                present = false;
                return null;
            }
        }
        present = true;
        return node;
    }

    private static bool TryPut(JsonObject root, string key, JsonNode? value, out string problem)
    {
        var parts = key.Split('.');
        var obj = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (!obj.TryGetPropertyValue(parts[i], out var child) || child is null)
            {
                child = new JsonObject();
                obj[parts[i]] = child;
            }
            if (child is not JsonObject next)
            {
                problem = $"{string.Join('.', parts[..(i + 1)])} in the file is not an object, so {key} cannot be set under it";
                return false;
            }
            obj = next;
        }
        // Replacing in place keeps the key where it was.
        obj[parts[^1]] = value;
        problem = "";
        return true;
    }

    private static string Render(JsonObject root)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            root.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string Literal(object? value) => value switch
    {
        null => "null",
        string s => JsonValue.Create(s).ToJsonString(),
        _ => ConfigReloadTable.Format(value),
    };
}


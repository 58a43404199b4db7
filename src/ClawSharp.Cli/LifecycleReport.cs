namespace ClawSharp.Cli;

/// <summary>
/// The result of a lifecycle command (<c>start</c>, <c>stop</c>) in PROTOCOL.md's CLI shape
/// <c>{ ok, action, result?, message?, error?, hints?, warnings?, … }</c>: as JSON alone on
/// stdout with <c>--json</c>, else as lines (errors, hints and warnings on stderr).
/// </summary>
internal sealed record LifecycleReport(string Action, bool Ok, string? Result, string Message)
{
    public IReadOnlyList<string> Hints { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Lines printed after the message (not in JSON: there the fields say it).</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>Extra JSON fields: pid, port, logFile ….</summary>
    public IReadOnlyDictionary<string, object?> Fields { get; init; } = new Dictionary<string, object?>();

    public int Print(bool json, Gateway.ExitCode code)
    {
        if (json)
        {
            CliOutput.WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("ok", Ok);
                w.WriteString("action", Action);
                if (Result is not null)
                {
                    w.WriteString("result", Result);
                }
                w.WriteString(Ok ? "message" : "error", Message);
                foreach (var (name, value) in Fields)
                {
                    switch (value)
                    {
                        case null:
                            break;
                        case int number:
                            w.WriteNumber(name, number);
                            break;
                        case IEnumerable<string> lines:
                            w.WriteStartArray(name);
                            foreach (var line in lines)
                            {
                                w.WriteStringValue(line);
                            }
                            w.WriteEndArray();
                            break;
                        default:
                            w.WriteString(name, value.ToString());
                            break;
                    }
                }
                WriteArray(w, "hints", Hints);
                WriteArray(w, "warnings", Warnings);
                w.WriteEndObject();
            });
            return (int)code;
        }
        foreach (var warning in Warnings)
        {
            Console.Error.WriteLine($"warning: {warning}");
        }
        if (Ok)
        {
            Console.Out.WriteLine(Message);
            foreach (var line in Details)
            {
                Console.Out.WriteLine(line);
            }
        }
        else
        {
            Console.Error.WriteLine($"error: {Message}");
            foreach (var line in Details)
            {
                Console.Error.WriteLine(line);
            }
        }
        foreach (var hint in Hints)
        {
            (Ok ? Console.Out : Console.Error).WriteLine($"hint: {hint}");
        }
        return (int)code;
    }

    private static void WriteArray(System.Text.Json.Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }
        w.WriteEndArray();
    }
}

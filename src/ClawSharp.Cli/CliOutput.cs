using System.Text.Encodings.Web;
using System.Text.Json;
using ClawSharp.Gateway;

namespace ClawSharp.Cli;

/// <summary>
/// How commands report: errors on stderr as one line, <c>--json</c> documents alone on stdout.
/// Under <c>--json</c> every outcome is one document: a failure that no command reported as JSON
/// (a usage error, a gateway that is not running, a refused call) becomes
/// <c>{ "ok": false, "error", "code"?, "exitCode" }</c> when <see cref="Fail"/> reports it.
/// </summary>
internal static class CliOutput
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static bool jsonWritten;
    private static int stderrOnly;

    /// <summary>The command line asked for <c>--json</c>: set from the arguments before parsing (so that a usage error is JSON too), then from the parse.</summary>
    public static bool JsonRequested { get; private set; }

    /// <summary>
    /// For a command line that did not parse: whether <paramref name="args"/> ask for <c>--json</c>
    /// (before a <c>--</c> that ends the options; <c>--json</c>, <c>--json=true</c>, <c>--json:true</c>).
    /// </summary>
    public static void NoteJsonRequest(IEnumerable<string> args)
    {
        var options = args.TakeWhile(arg => arg != "--").ToList();
        JsonRequested = options.Select((arg, i) => arg switch
        {
            "--json" => i + 1 >= options.Count || !string.Equals(options[i + 1], "false", StringComparison.OrdinalIgnoreCase),
            _ when arg.StartsWith("--json=", StringComparison.Ordinal) || arg.StartsWith("--json:", StringComparison.Ordinal) =>
                !string.Equals(arg[7..], "false", StringComparison.OrdinalIgnoreCase),
            _ => false,
        }).Any(asked => asked);
    }

    /// <summary>For a command line that parsed: the value of its command's <c>--json</c>, as the command itself reads it.</summary>
    public static void NoteJsonRequest(System.CommandLine.ParseResult parse) =>
        JsonRequested = parse.CommandResult.Command.Options.OfType<System.CommandLine.Option<bool>>().FirstOrDefault(o => o.Name == "--json") is { } json
            && parse.GetValue(json);

    /// <summary>Writes <paramref name="document"/> indented, followed by a newline, to stdout.</summary>
    public static void WriteJson(JsonElement document) => WriteJson(document.WriteTo);

    /// <summary>Writes the JSON value <paramref name="write"/> produces, indented, followed by a newline, to stdout.</summary>
    public static void WriteJson(Action<Utf8JsonWriter> write)
    {
        jsonWritten = true;
        using (var stdout = Console.OpenStandardOutput())
        using (var writer = new Utf8JsonWriter(stdout, JsonOptions))
        {
            write(writer);
        }
        Console.Out.WriteLine();
    }

    /// <summary>
    /// Reports a failure: <c>error: MESSAGE</c> on stderr and, under <c>--json</c> when no document
    /// went out yet, the failure as one on stdout. Returns <paramref name="code"/> as the exit code.
    /// </summary>
    /// <param name="errorCode">The gateway's error code (<c>NOT_RUNNING</c>, <c>TIMEOUT</c>, …), when it has one.</param>
    public static int Fail(ExitCode code, string message, string? errorCode = null)
    {
        Console.Error.WriteLine($"error: {message}");
        FailureAsJson(code, message, errorCode);
        return (int)code;
    }

    /// <summary>
    /// Within the returned scope a failure goes to stderr only: for a step whose failure the command
    /// reports in its own document (status shows a gateway that does not answer as unreachable).
    /// </summary>
    public static IDisposable FailuresOnStderrOnly()
    {
        Interlocked.Increment(ref stderrOnly);
        return new Scope();
    }

    /// <summary>Under <c>--json</c>, when no document went out yet: the failure as one, on stdout.</summary>
    public static void FailureAsJson(ExitCode code, string message, string? errorCode = null)
    {
        if (JsonRequested && !jsonWritten && Volatile.Read(ref stderrOnly) == 0)
        {
            WriteJson(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("ok", false);
                w.WriteString("error", message);
                if (errorCode is not null)
                {
                    w.WriteString("code", errorCode);
                }
                w.WriteNumber("exitCode", (int)code);
                w.WriteEndObject();
            });
        }
    }

    private sealed class Scope : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                Interlocked.Decrement(ref stderrOnly);
            }
        }
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;
using ClawSharp.Gateway;

namespace ClawSharp.Cli;

/// <summary>How commands report: errors on stderr as one line, <c>--json</c> documents alone on stdout.</summary>
internal static class CliOutput
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes <paramref name="document"/> indented, followed by a newline, to stdout.</summary>
    public static void WriteJson(JsonElement document) => WriteJson(document.WriteTo);

    /// <summary>Writes the JSON value <paramref name="write"/> produces, indented, followed by a newline, to stdout.</summary>
    public static void WriteJson(Action<Utf8JsonWriter> write)
    {
        using (var stdout = Console.OpenStandardOutput())
        using (var writer = new Utf8JsonWriter(stdout, JsonOptions))
        {
            write(writer);
        }
        Console.Out.WriteLine();
    }

    public static int Fail(ExitCode code, string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return (int)code;
    }
}

using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.Services;

/// <summary>Reads and writes <c>service.json</c>, the record of the installed service.</summary>
internal static class ServiceRecordStore
{
    public static string PathOf(StateDirectory state) => Path.Combine(state.Root, "service.json");

    /// <summary>The record, or null when nothing is installed; a corrupt record is reported through <paramref name="problem"/> and treated as absent.</summary>
    public static ServiceRecord? Read(StateDirectory state, out string? problem)
    {
        problem = null;
        var path = PathOf(state);
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), ServiceJsonContext.Default.ServiceRecord);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            problem = $"{path} is unreadable ({e.Message}); 'clawsharp gateway install --force' rewrites it";
            return null;
        }
    }

    public static ServiceRecord? Read(StateDirectory state) => Read(state, out _);

    public static void Write(StateDirectory state, ServiceRecord record) =>
        AtomicFile.WriteAllBytes(PathOf(state), JsonSerializer.SerializeToUtf8Bytes(record, ServiceJsonContext.Default.ServiceRecord));

    public static void Delete(StateDirectory state) => File.Delete(PathOf(state));
}

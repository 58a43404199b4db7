using System.Text.Json.Serialization;

namespace ClawSharp.Daemon;

/// <summary>Source-generated (AOT-safe) JSON for <c>daemon.json</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DaemonState))]
internal sealed partial class DaemonJsonContext : JsonSerializerContext;

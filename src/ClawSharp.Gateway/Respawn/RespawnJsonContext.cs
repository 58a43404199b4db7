using System.Text.Json.Serialization;

namespace ClawSharp.Gateway.Respawn;

/// <summary>Source-generated (AOT-safe) JSON for <c>restarting.json</c> and <c>update-failed.json</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UpdateFailure))]
[JsonSerializable(typeof(RestartingProcess))]
internal sealed partial class RespawnJsonContext : JsonSerializerContext;

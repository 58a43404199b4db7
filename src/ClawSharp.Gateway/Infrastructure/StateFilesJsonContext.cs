using System.Text.Json.Serialization;
using ClawSharp.Gateway.Hosting;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>Source-generated (AOT-safe) JSON for the state files ClawSharp writes.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LockOwner))]
[JsonSerializable(typeof(UpdateFailure))]
[JsonSerializable(typeof(RestartingProcess))]
internal sealed partial class StateFilesJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace ClawSharp.Gateway.Diagnostics;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(StabilityBundle))]
internal sealed partial class DiagnosticsJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace ClawSharp.Control.Services;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ServiceRecord))]
internal sealed partial class ServiceJsonContext : JsonSerializerContext;

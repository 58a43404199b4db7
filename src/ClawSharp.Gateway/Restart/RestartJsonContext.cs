using System.Text.Json.Serialization;

namespace ClawSharp.Gateway.Restart;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RestartIntent))]
[JsonSerializable(typeof(RestartRefusal))]
[JsonSerializable(typeof(PreflightResult))]
[JsonSerializable(typeof(RestartRequestResult))]
internal sealed partial class RestartJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace ClawSharp.Gateway.Protocol;

/// <summary>Source-generated JSON for protocol payloads (camelCase, as OpenClaw).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ChallengePayload))]
[JsonSerializable(typeof(TickPayload))]
[JsonSerializable(typeof(ShutdownPayload))]
[JsonSerializable(typeof(HelloOk))]
[JsonSerializable(typeof(HealthPayload))]
[JsonSerializable(typeof(StatusPayload))]
[JsonSerializable(typeof(ChatEventPayload))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;

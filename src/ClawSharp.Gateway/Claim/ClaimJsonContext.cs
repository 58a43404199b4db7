using System.Text.Json.Serialization;

namespace ClawSharp.Gateway.Claim;

/// <summary>Source-generated (AOT-safe) JSON for <c>gateway.lock</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LockOwner))]
internal sealed partial class ClaimJsonContext : JsonSerializerContext;

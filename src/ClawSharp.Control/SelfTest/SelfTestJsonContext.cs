using System.Text.Json.Serialization;

namespace ClawSharp.Control.SelfTest;

/// <summary>Source-generated JSON for the self-test's report (no reflection: the binary is Native AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SelfTestReport))]
internal sealed partial class SelfTestJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace ClawSharp.Gateway.Protocol.Methods;

/// <summary>The <c>logs.tail</c> answer (PROTOCOL.md); <c>reset</c> says the cursor was past the end (a rotation) and reading started over.</summary>
internal sealed record LogsTailResult(string File, long Cursor, long Size, IReadOnlyList<string> Lines, bool Truncated, bool Reset);

/// <summary>The <c>gateway.history</c> answer: samples oldest first, and how often they are taken.</summary>
internal sealed record GatewayHistoryResult(int Pid, string BootId, long IntervalMs, int Capacity, IReadOnlyList<HistorySample> Samples);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LogsTailResult))]
[JsonSerializable(typeof(GatewayHistoryResult))]
internal sealed partial class OperatorJsonContext : JsonSerializerContext;

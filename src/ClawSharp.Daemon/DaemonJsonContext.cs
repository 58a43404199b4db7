using System.Text.Json.Serialization;

namespace ClawSharp.Daemon;

/// <summary>
/// Source-generated (AOT-safe) JSON for <c>daemon.json</c>, <c>crash-history.json</c>, <c>start-failed.json</c> and
/// <c>logs/previous-run.json</c>. Nullable annotations are enforced: a <c>null</c> where the record has none
/// (<c>"crashes": null</c>) is a corrupt file (a <see cref="System.Text.Json.JsonException"/> the readers report and
/// ignore), never a null reference later.
/// </summary>
[JsonSourceGenerationOptions(
    RespectNullableAnnotations = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DaemonState))]
[JsonSerializable(typeof(CrashHistory))]
[JsonSerializable(typeof(PreviousRun))]
[JsonSerializable(typeof(StartFailure))]
internal sealed partial class DaemonJsonContext : JsonSerializerContext;

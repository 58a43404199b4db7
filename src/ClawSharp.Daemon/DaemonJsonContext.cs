using System.Text.Json.Serialization;

namespace ClawSharp.Daemon;

/// <summary>Source-generated (AOT-safe) JSON for <c>daemon.json</c>, <c>crash-history.json</c>, <c>start-failed.json</c> and <c>logs/previous-run.json</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DaemonState))]
[JsonSerializable(typeof(CrashHistory))]
[JsonSerializable(typeof(PreviousRun))]
[JsonSerializable(typeof(StartFailure))]
internal sealed partial class DaemonJsonContext : JsonSerializerContext;

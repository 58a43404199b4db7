using System.Globalization;
using System.Text.Json.Serialization;

namespace ClawSharp.Control.SelfTest;

/// <summary>The outcome of <c>clawsharp selftest</c>, as printed with <c>--json</c>.</summary>
/// <param name="Ok">No message lost or duplicated, every fault recovered within the bound, nothing left running, every message acknowledged.</param>
/// <param name="Seed">Reproduces the run's faults and load.</param>
/// <param name="Cycles">Fault cycles applied.</param>
/// <param name="Sent">Messages the load created.</param>
/// <param name="Acked">Messages the gateway acknowledged (its accept answer).</param>
/// <param name="Answered">Acknowledged messages with a reply at the sink or in the store.</param>
/// <param name="AnsweredInStoreOnly">Of those, answered in the store without a delivery to the sink.</param>
/// <param name="Lost">Acknowledged messages never answered.</param>
/// <param name="Duplicates">Message ids the sink received more than once, other than <paramref name="RedeliveredAfterCut"/>.</param>
/// <param name="RedeliveredAfterCut">
/// Replies delivered again, unchanged, after a kill -9, <c>restart --force</c> or a capped drain cut
/// their first delivery in flight: the gateway cannot know the sink got it, so it sends it again
/// under the same message id (at-least-once; receivers drop a message id they have seen). Not a failure.
/// </param>
/// <param name="Unacked">Messages never acknowledged within the deadline.</param>
/// <param name="AckedAfterRetry">Acknowledgements that came on a second or later attempt (a fault cut the first).</param>
/// <param name="MaxRecoveryMs">The longest fault → ready.</param>
/// <param name="NotRecovered">Faults after which the gateway was not ready again within the bound.</param>
/// <param name="LeftoverProcesses">Processes of the scratch gateway still alive after its stop (killed by the self-test).</param>
/// <param name="ProcessesSeen">Distinct supervisor and gateway processes the run went through.</param>
/// <param name="DurationMs">The whole run.</param>
/// <param name="ScratchDirectory">The scratch state directory (kept with <c>--keep</c>, else deleted).</param>
/// <param name="Faults">Each cycle.</param>
/// <param name="Problems">What failed the run, one sentence each.</param>
internal sealed record SelfTestReport(
    bool Ok,
    int Seed,
    int Cycles,
    int Sent,
    int Acked,
    int Answered,
    int AnsweredInStoreOnly,
    int Lost,
    int Duplicates,
    int RedeliveredAfterCut,
    int Unacked,
    int AckedAfterRetry,
    long MaxRecoveryMs,
    int NotRecovered,
    int LeftoverProcesses,
    int ProcessesSeen,
    long DurationMs,
    string ScratchDirectory,
    IReadOnlyList<FaultOutcome> Faults,
    IReadOnlyList<string> Problems)
{
    /// <summary><c>cycles=N acked=A answered=A lost=0 duplicates=0 max_recovery_ms=M</c>: the line CI and bench/chaos.sh read.</summary>
    [JsonPropertyName("summary")]
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"cycles={Cycles} acked={Acked} answered={Answered} lost={Lost} duplicates={Duplicates} max_recovery_ms={MaxRecoveryMs}");

    /// <summary>The operator's sentence.</summary>
    [JsonIgnore]
    public string Verdict => string.Create(CultureInfo.InvariantCulture,
        $"on this machine, {Cycles} faults, {Lost} lost, {Duplicates} duplicates, recovery max {MaxRecoveryMs} ms");
}

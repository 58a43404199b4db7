namespace ClawSharp.Control.SelfTest;

/// <summary>
/// The end of a run, from three witnesses that do not depend on each other: the load generator's
/// own records (what was acknowledged, as which message id), the sink (what was delivered, how
/// often) and the store (what was committed, what has a reply). Pure: it only counts.
/// Order: every acknowledged message committed under the id it was acknowledged as; answered at
/// the sink or, failing that, with a reply in the store; no message id delivered twice; every
/// message acknowledged; every fault recovered within the bound; nothing left running. A reply
/// delivered again after a fault that cuts deliveries in flight (<see cref="FaultKinds.MayCutDeliveries"/>),
/// with the same run and text, is counted apart as a redelivery: at-least-once delivery by design.
/// </summary>
internal static class SelfTestAudit
{
    private const long CutLeadMs = 1000;

    public static SelfTestReport Judge(int seed, IReadOnlyList<SentMessage> sent, IReadOnlyDictionary<string, SinkEntry> sink, int sinkMalformed,
        StoreView? store, string? storeProblem, IReadOnlyList<FaultOutcome> faults, IReadOnlyList<int> leftovers, int processesSeen,
        long durationMs, string scratch, IReadOnlyList<string> runProblems)
    {
        var problems = new List<string>(runProblems);
        var acked = sent.Where(m => m.MessageId is not null).ToList();
        var answered = 0;
        var storeOnly = 0;
        var lost = new List<SentMessage>();
        foreach (var message in acked)
        {
            if (store is not null && store.MessageIdByKey.TryGetValue(message.IdempotencyKey, out var committed) && committed != message.MessageId)
            {
                problems.Add($"message {message.Number} was acknowledged as {message.MessageId} but committed as {committed}");
            }
            if (sink.ContainsKey(message.MessageId!))
            {
                answered++;
            }
            else if (store is not null && store.ReplyStateByMessage.ContainsKey(message.MessageId!))
            {
                answered++;
                storeOnly++;
            }
            else
            {
                lost.Add(message);
            }
        }
        foreach (var message in lost.Take(5))
        {
            var inStore = store is null ? "store unread" : store.MessageIdByKey.ContainsKey(message.IdempotencyKey) ? "in the store, no reply" : "NOT in the store";
            problems.Add($"lost: message {message.Number} ({message.Channel}, key {message.IdempotencyKey}, id {message.MessageId}): no reply at the sink, {inStore}");
        }
        var duplicates = new List<string>();
        var redelivered = 0;
        foreach (var (id, entry) in sink.Where(e => e.Value.Count > 1).OrderBy(e => e.Value.DeliveredAt[0]))
        {
            // The fault in progress when the first delivery came: applied before it (or just after: the
            // sink may have read the POST a moment before the kill, ahead of the gateway's commit), not yet recovered.
            var first = entry.DeliveredAt[0];
            var window = faults.Where(f => f.StartedAt - CutLeadMs <= first && first <= f.StartedAt + f.RecoveryMs).ToList();
            // Two faults can share that window (a kill 20 ms after the POST, the next fault half a second
            // later): the one that explains a resend is the one that may cut a delivery, not the later one.
            var during = window.LastOrDefault(f => FaultKinds.MayCutDeliveries(f.Fault)) ?? window.LastOrDefault();
            if (entry.DistinctReplies == 1 && during is not null && FaultKinds.MayCutDeliveries(during.Fault))
            {
                redelivered++;
                continue;
            }
            duplicates.Add(id);
            var after = during ?? faults.LastOrDefault(f => f.StartedAt <= entry.DeliveredAt[0]);
            var when = string.Join(", ", entry.DeliveredAt.Select(at => $"{at - entry.DeliveredAt[0]:+0;-0} ms"));
            var what = entry.DistinctReplies > 1 ? $"{entry.DistinctReplies} different replies" : "the same reply";
            if (duplicates.Count <= 5)
            {
                problems.Add($"duplicate: message id {id} was delivered to the sink {entry.Count} times, {what} ({when}; "
                    + (after is null ? "before the first fault)" : $"after cycle {after.Cycle}, {after.Fault}, applied {entry.DeliveredAt[0] - after.StartedAt} ms before the first delivery)"));
            }
        }
        var unacked = sent.Where(m => m.MessageId is null).ToList();
        foreach (var message in unacked.Take(5))
        {
            problems.Add($"never acknowledged: message {message.Number} ({message.Channel}) after {message.Attempts} attempts: {message.LastError}");
        }
        if (sinkMalformed > 0)
        {
            problems.Add($"the sink received {sinkMalformed} POST(s) that were not a reply");
        }
        if (storeProblem is not null)
        {
            problems.Add($"state.db could not be read: {storeProblem}");
        }
        foreach (var fault in faults.Where(f => !f.Recovered))
        {
            problems.Add($"cycle {fault.Cycle} ({fault.Fault}): {fault.Note}");
        }
        if (leftovers.Count > 0)
        {
            problems.Add($"processes left behind after the stop (killed): {string.Join(", ", leftovers)}");
        }
        if (acked.Count == 0)
        {
            problems.Add("no message was acknowledged: the load never reached the gateway");
        }
        var applied = faults.Where(f => f.Skipped is null).ToList();
        return new SelfTestReport(
            Ok: problems.Count == 0,
            Seed: seed,
            Cycles: faults.Count,
            Sent: sent.Count,
            Acked: acked.Count,
            Answered: answered,
            AnsweredInStoreOnly: storeOnly,
            Lost: lost.Count,
            Duplicates: duplicates.Count,
            RedeliveredAfterCut: redelivered,
            Unacked: unacked.Count,
            AckedAfterRetry: acked.Count(m => m.Attempts > 1),
            MaxRecoveryMs: applied.Count == 0 ? 0 : applied.Max(f => f.RecoveryMs),
            NotRecovered: faults.Count(f => !f.Recovered),
            LeftoverProcesses: leftovers.Count,
            ProcessesSeen: processesSeen,
            DurationMs: durationMs,
            ScratchDirectory: scratch,
            Faults: faults,
            Problems: problems);
    }
}

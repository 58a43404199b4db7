namespace ClawSharp.Control.SelfTest;

/// <summary>
/// The end of a run, from three witnesses that do not depend on each other: the load generator's
/// own records (what was acknowledged, as which message id), the sink (what was delivered, how
/// often) and the store (what was committed, what has a reply). Pure: it only counts.
/// Order: every acknowledged message committed under the id it was acknowledged as; answered at
/// the sink or, failing that, with a reply in the store; no message id delivered twice; every
/// message acknowledged; every fault recovered within the bound; nothing left running.
/// </summary>
internal static class SelfTestAudit
{
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
        var duplicates = sink.Where(e => e.Value.Count > 1).ToList();
        foreach (var (id, entry) in duplicates.Take(5))
        {
            var after = faults.LastOrDefault(f => f.StartedAt <= entry.DeliveredAt[0]);
            var when = string.Join(", ", entry.DeliveredAt.Select(at => $"{at - entry.DeliveredAt[0]:+0;-0} ms"));
            problems.Add($"duplicate: message id {id} was delivered to the sink {entry.Count} times ({when}; "
                + (after is null ? "before the first fault)" : $"after cycle {after.Cycle}, {after.Fault}, applied {entry.DeliveredAt[0] - after.StartedAt} ms before the first delivery)"));
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

using ClawSharp.Control.SelfTest;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// <see cref="SelfTestAudit"/> over hand-made witnesses: what the load acknowledged, what the sink
/// received and what the store holds, each planted to show one failure the audit must not miss.
/// </summary>
public sealed class SelfTestAuditTests
{
    private static readonly FaultOutcome KillAt1000 = new(1, "kill-9-gateway", true, 800, null, null, StartedAt: 1_000);

    [Fact]
    public void EveryAckedMessageAnsweredOnce_IsOk_AndTheSummaryLineSaysSo()
    {
        var report = Judge([Acked(1, "m1"), Acked(2, "m2")], Sink(("m1", 1000), ("m2", 1100)), Store(("m1", "final"), ("m2", "final")));

        Assert.True(report.Ok, string.Join("; ", report.Problems));
        Assert.Equal("cycles=1 acked=2 answered=2 lost=0 duplicates=0 max_recovery_ms=800", report.Summary);
        Assert.Equal("on this machine, 1 faults, 0 lost, 0 duplicates, recovery max 800 ms", report.Verdict);
    }

    [Fact]
    public void AnAckedMessageWithNoReplyAnywhere_IsLost_AndSaysWhetherTheStoreHasIt()
    {
        var report = Judge([Acked(1, "m1"), Acked(2, "m2")], Sink(("m1", 1000)), Store(("m1", "final")), committed: ["selftest-1"]);

        Assert.False(report.Ok);
        Assert.Equal(1, report.Lost);
        Assert.Equal(1, report.Answered);
        Assert.Contains(report.Problems, p => p.StartsWith("lost: message 2") && p.Contains("NOT in the store"));
    }

    [Fact]
    public void AReplyInTheStoreButNotAtTheSink_CountsAsAnswered_InTheStoreOnly()
    {
        var report = Judge([Acked(1, "m1")], Sink(), Store(("m1", "final")));

        Assert.True(report.Ok, string.Join("; ", report.Problems));
        Assert.Equal(1, report.AnsweredInStoreOnly);
    }

    [Fact]
    public void TheSameReplyDeliveredTwice_AfterAGracefulRestart_IsADuplicate_AttributedToThatFault()
    {
        var usr1 = KillAt1000 with { Fault = "sigusr1" };

        var report = Judge([Acked(1, "m1")], Sink(("m1", 1200), ("m1", 1900)), Store(("m1", "final")), faults: [usr1]);

        Assert.False(report.Ok);
        Assert.Equal(1, report.Duplicates);
        Assert.Contains(report.Problems, p => p.Contains("m1 was delivered to the sink 2 times, the same reply") && p.Contains("after cycle 1, sigusr1, applied 200 ms"));
    }

    [Fact]
    public void TheSameReplyDeliveredAgain_AfterAKillCutItsDelivery_IsARedelivery_NotADuplicate()
    {
        var report = Judge([Acked(1, "m1")], Sink(("m1", 1200), ("m1", 1900)), Store(("m1", "final")));

        Assert.True(report.Ok, string.Join("; ", report.Problems));
        Assert.Equal(0, report.Duplicates);
        Assert.Equal(1, report.RedeliveredAfterCut);
    }

    [Fact]
    public void AResendAfterAKillThatCameJustAfterThePost_IsARedelivery_WhateverFaultFollowedIt()
    {
        // Seen: the sink read the POST 22 ms before the kill (the gateway had not recorded it yet);
        // the next fault, which cuts nothing, began 0.5 s later, inside the same look-back window.
        var readOnlyLogs = new FaultOutcome(2, "read-only-logs", true, 150, null, null, StartedAt: 1_500);

        var report = Judge([Acked(1, "m1")], Sink(("m1", 978), ("m1", 1_123)), Store(("m1", "final")), faults: [KillAt1000, readOnlyLogs]);

        Assert.True(report.Ok, string.Join("; ", report.Problems));
        Assert.Equal(1, report.RedeliveredAfterCut);
    }

    [Fact]
    public void TwoDifferentRepliesUnderOneMessageId_AreADuplicate_EvenAfterAKill()
    {
        var sink = new Dictionary<string, SinkEntry> { ["m1"] = new(2, "final", [1200, 1900], DistinctReplies: 2, FirstReply: "run_1") };

        var report = Judge([Acked(1, "m1")], sink, Store(("m1", "final")));

        Assert.Equal(1, report.Duplicates);
        Assert.Contains(report.Problems, p => p.Contains("2 different replies"));
    }

    [Fact]
    public void AnUnackedMessage_AFaultNotRecovered_AndALeftoverProcess_EachFailTheRun()
    {
        var unacked = new SentMessage(3, "selftest-3", LoadChannel.Http, "s", "t") { Attempts = 9, LastError = "connection refused" };
        var stuck = KillAt1000 with { Cycle = 2, Recovered = false, Note = "not ready again within 30 s" };

        var report = SelfTestAudit.Judge(1, [Acked(1, "m1"), unacked], Sink(("m1", 1000)), 0, Store(("m1", "final")), null,
            [KillAt1000, stuck], [4242], 3, 10, "/tmp/x", []);

        Assert.False(report.Ok);
        Assert.Equal(1, report.Unacked);
        Assert.Equal(1, report.NotRecovered);
        Assert.Equal(1, report.LeftoverProcesses);
        Assert.Equal(3, report.Problems.Count);
    }

    private static SelfTestReport Judge(IReadOnlyList<SentMessage> sent, IReadOnlyDictionary<string, SinkEntry> sink, StoreView store,
        string[]? committed = null, FaultOutcome[]? faults = null)
    {
        var view = committed is null ? store : store with { MessageIdByKey = store.MessageIdByKey.Where(e => committed.Contains(e.Key)).ToDictionary() };
        return SelfTestAudit.Judge(1, sent, sink, 0, view, null, faults ?? [KillAt1000], [], 2, 10, "/tmp/x", []);
    }

    private static SentMessage Acked(int number, string messageId) =>
        new(number, $"selftest-{number}", LoadChannel.WebSocket, "s", "t") { MessageId = messageId, Attempts = 1 };

    private static Dictionary<string, SinkEntry> Sink(params (string Id, long At)[] deliveries) =>
        deliveries.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => new SinkEntry(g.Count(), "final", [.. g.Select(d => d.At)]));

    private static StoreView Store(params (string Id, string State)[] replies) =>
        new(replies.Select((r, i) => (Key: $"selftest-{i + 1}", r.Id)).ToDictionary(e => e.Key, e => e.Id),
            replies.ToDictionary(r => r.Id, r => r.State));
}

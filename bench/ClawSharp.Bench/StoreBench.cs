using System.Diagnostics;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Metrics;
using ClawSharp.Gateway.Storage;

namespace ClawSharp.Bench;

/// <summary>
/// The store's share of one message: accept (an idle session's echo run answered in the same write; otherwise the
/// run's read, then one write ending it), publish, on a real file, through
/// the group-committing writer. <c>pipelines</c> messages move at once (as sessions do in the
/// gateway): with one, every write is its own commit; with more, writes share commits.
/// </summary>
internal static class StoreBench
{
    public static async Task<int> RunAsync(int messages, int pipelines, StoreDurability durability)
    {
        var root = Path.Combine(Path.GetTempPath(), "clawsharp-storebench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            using var store = GatewayStore.Open(Path.Combine(root, "state.db"), TimeProvider.System, durability);
            var commitsBefore = GatewayMetrics.StoreCommitCount;
            var started = Stopwatch.GetTimestamp();
            var next = -1;
            var marks = new List<Task>();
            var publishedThrough = 0L;
            await Task.WhenAll(Enumerable.Range(0, pipelines).Select(p => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < messages)
                {
                    var accepted = await store.AcceptMessageAsync($"s{p}", "hello", $"k{i}", "echo", null,
                        answerAtOnce: work => new RunEnding(RunStatus.Completed, "final", work.Text, null));
                    if (!accepted.AnsweredAtOnce)
                    {
                        // The lane's path for a run answered at once (echo): read its work, one write ends it.
                        _ = store.QueuedRun(accepted.RunId);
                        await store.EndQueuedRunAsync(accepted.RunId, new RunEnding(RunStatus.Completed, "final", "hello", null));
                    }
                    // As the outbox does: replies past the last one published, marked without waiting for the mark.
                    lock (marks)
                    {
                        var replies = store.UnpublishedReplies(publishedThrough, 256);
                        if (replies.Count > 0)
                        {
                            publishedThrough = replies[^1].Id;
                            marks.Add(store.MarkPublishedAsync([.. replies.Select(r => (r.Id, true))]));
                        }
                    }
                }
            })));
            await Task.WhenAll(marks);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var commits = GatewayMetrics.StoreCommitCount - commitsBefore;
            Console.WriteLine($"store ({durability}): {messages} messages, {pipelines} at once, in {elapsed.TotalSeconds:F2} s -> " +
                $"{messages / elapsed.TotalSeconds:F0} msg/s, {elapsed.TotalMicroseconds / messages:F1} µs each, {commits / messages:F3} commits per message; " +
                $"WAL checkpoints: {store.WalCheckpoints.Background} in the background, {store.WalCheckpoints.Writer} by the writer");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

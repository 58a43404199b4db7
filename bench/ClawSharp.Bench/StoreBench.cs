using System.Diagnostics;
using ClawSharp.Gateway.Storage;

namespace ClawSharp.Bench;

/// <summary>The store's share of one message: accept, start, finish, deliver, on a real file.</summary>
internal static class StoreBench
{
    public static int Run(int messages)
    {
        var root = Path.Combine(Path.GetTempPath(), "clawsharp-storebench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            using var store = GatewayStore.Open(Path.Combine(root, "state.db"), TimeProvider.System);
            var started = Stopwatch.GetTimestamp();
            var phases = new double[4];
            for (var i = 0; i < messages; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                var accepted = store.AcceptMessage($"s{i % 8}", "hello", $"k{i}", "echo", null);
                var t1 = Stopwatch.GetTimestamp();
                store.StartRun(accepted.RunId);
                var t2 = Stopwatch.GetTimestamp();
                store.FinishRun(accepted.RunId, RunStatus.Completed, "final", "hello", null);
                var t3 = Stopwatch.GetTimestamp();
                foreach (var reply in store.UnpublishedReplies(256))
                {
                    store.MarkPublished(reply.Id, delivered: true);
                }
                var t4 = Stopwatch.GetTimestamp();
                phases[0] += t1 - t0;
                phases[1] += t2 - t1;
                phases[2] += t3 - t2;
                phases[3] += t4 - t3;
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            Console.WriteLine("µs per message: accept {0:F0}, start {1:F0}, finish {2:F0}, deliver {3:F0}",
                phases[0] * 1e6 / Stopwatch.Frequency / messages, phases[1] * 1e6 / Stopwatch.Frequency / messages,
                phases[2] * 1e6 / Stopwatch.Frequency / messages, phases[3] * 1e6 / Stopwatch.Frequency / messages);
            Console.WriteLine($"store: {messages} messages in {elapsed.TotalSeconds:F2} s -> {messages / elapsed.TotalSeconds:F0} msg/s, {elapsed.TotalMicroseconds / messages:F0} µs each");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

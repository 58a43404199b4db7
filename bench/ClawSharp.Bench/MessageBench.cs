using System.Diagnostics;

namespace ClawSharp.Bench;

/// <summary>Whole-process message benchmarks through the echo agent over real WebSockets.</summary>
internal static class MessageBench
{
    private const string Config = """{ "logs": { "level": "warning" } }""";

    /// <summary>N clients, each on its own session, send M messages as fast as they can; the clock stops at the last reply.</summary>
    public static async Task<int> ThroughputAsync(string binary, int clients, int perClient)
    {
        await using var gateway = await BenchGateway.StartAsync(binary, Config);
        var connections = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => BenchClient.ConnectAsync(gateway.Port, gateway.Token)));
        var total = clients * perClient;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(connections.Select((client, c) => Task.Run(async () =>
        {
            for (var i = 0; i < perClient; i++)
            {
                await client.SendMessageAsync($"c{c}-{i}", $"session-{c}", "hello");
            }
        })));
        var sent = Stopwatch.GetElapsedTime(started);
        while (connections.Sum(c => c.Replies) < total)
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(5))
            {
                Console.Error.WriteLine($"timed out: {connections.Sum(c => c.Replies)} of {total} replies");
                return 1;
            }
            await Task.Delay(5);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        Console.WriteLine($"throughput: {clients} clients x {perClient} messages = {total} in {elapsed.TotalSeconds:F2} s " +
            $"-> {total / elapsed.TotalSeconds:F0} msg/s (all sent after {sent.TotalSeconds:F2} s)");
        foreach (var client in connections)
        {
            await client.DisposeAsync();
        }
        return 0;
    }

    /// <summary>A fixed rate of messages across N clients for S seconds; send-to-reply latency percentiles.</summary>
    public static async Task<int> LatencyAsync(string binary, int rate, int seconds, int clients)
    {
        await using var gateway = await BenchGateway.StartAsync(binary, Config);
        var connections = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => BenchClient.ConnectAsync(gateway.Port, gateway.Token)));
        var total = rate * seconds;
        var sentAt = new long[total];
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = started + (long)(interval.TotalSeconds * i * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < due)
            {
                if (due - Stopwatch.GetTimestamp() > Stopwatch.Frequency / 500)
                {
                    await Task.Delay(1);
                }
            }
            sentAt[i] = Stopwatch.GetTimestamp();
            _ = connections[i % clients].SendMessageAsync($"m{i}", $"session-{i % (clients * 4)}", "hello");
        }
        while (connections.Sum(c => c.Replies) < total && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(seconds + 60))
        {
            await Task.Delay(10);
        }
        var latencies = new List<double>();
        for (var i = 0; i < total; i++)
        {
            var client = connections[i % clients];
            if (client.RequestIdToRunId.TryGetValue($"m{i}", out var runId) && client.RunIdToReplyTicks.TryGetValue(runId, out var replied))
            {
                latencies.Add((replied - sentAt[i]) * 1000.0 / Stopwatch.Frequency);
            }
        }
        latencies.Sort();
        double P(double q) => latencies[(int)Math.Min(latencies.Count - 1, Math.Floor(q * latencies.Count))];
        Console.WriteLine($"latency at {rate} msg/s for {seconds} s over {clients} clients: {latencies.Count}/{total} replies; " +
            $"p50 {P(0.50):F2} ms, p90 {P(0.90):F2} ms, p99 {P(0.99):F2} ms, max {latencies[^1]:F2} ms");
        foreach (var client in connections)
        {
            await client.DisposeAsync();
        }
        return 0;
    }
}

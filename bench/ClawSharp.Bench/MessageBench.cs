using System.Diagnostics;
using System.Globalization;

namespace ClawSharp.Bench;

/// <summary>Whole-process message benchmarks through the echo agent over real WebSockets.</summary>
internal static class MessageBench
{
    private const string Config = """{ "logs": { "level": "warning" } }""";

    /// <summary>
    /// N clients, each on its own session, send M messages as fast as they can (at most
    /// <paramref name="window"/> unanswered per client; 0 = no bound); the clock stops at the last reply.
    /// </summary>
    public static async Task<int> ThroughputAsync(string binary, int clients, int perClient, int window)
    {
        await using var gateway = await BenchGateway.StartAsync(binary, Config);
        var connections = await PipelinedLoad.ConnectAsync(gateway.Port, gateway.Token, clients, window);
        var outcome = await PipelinedLoad.RunAsync(connections, clients * perClient, gateway.Pid, progress: false);
        Console.WriteLine($"throughput: {clients} clients x {perClient} messages: {outcome.Describe()}");
        Console.WriteLine(outcome.Json("throughput", clients, window));
        await DisposeAllAsync(connections);
        return outcome.Complete ? 0 : 1;
    }

    /// <summary>
    /// The pipelined load against a gateway that is already running (its state directory and port),
    /// for harnesses that watch the process while it works: bench/fsync.py, bench/wal-growth.py.
    /// </summary>
    public static async Task<int> SendAsync(string home, int port, int total, int clients, int window)
    {
        var state = new ClawSharp.Gateway.Configuration.StateDirectory(home);
        var token = ClawSharp.Gateway.Configuration.TokenStore.TryRead(state) ?? throw new InvalidOperationException($"no token in {state.TokenFile}");
        var pid = ClawSharp.Gateway.Claim.GatewayLock.ReadOwner(state.LockFile)?.Pid ?? throw new InvalidOperationException($"no gateway owns {state.LockFile}");
        var connections = await PipelinedLoad.ConnectAsync(port, token, clients, window);
        var outcome = await PipelinedLoad.RunAsync(connections, total, pid, progress: true);
        Console.WriteLine($"send: {clients} clients, window {window}: {outcome.Describe()}");
        Console.WriteLine(outcome.Json("send", clients, window));
        await DisposeAllAsync(connections);
        return outcome.Complete ? 0 : 1;
    }

    /// <summary>
    /// A fixed rate of messages across N clients for S seconds; send-to-reply latency percentiles,
    /// and the rate actually achieved (sent and answered), so a generator that fell behind shows.
    /// </summary>
    public static async Task<int> LatencyAsync(string binary, int rate, int seconds, int clients)
    {
        await using var gateway = await BenchGateway.StartAsync(binary, Config);
        var connections = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ =>
            BenchClient.ConnectAsync(gateway.Port, gateway.Token, new BenchClient { KeepResponses = false })));
        var total = rate * seconds;
        var sentAt = new long[total];
        var clientCpu = CpuClock.Self();
        var gatewayCpu = CpuClock.Read(gateway.Pid);
        var started = Stopwatch.GetTimestamp();
        var maxLag = 0L;
        var next = 0;
        // Every tick (~1 ms) send what is due by now: no spinning, so the generator's CPU stays the
        // gateway's. The latency counts from the actual send; maxLag says how far behind the
        // schedule the generator ever was.
        while (next < total)
        {
            var due = Math.Min(total, (int)((Stopwatch.GetTimestamp() - started) * (double)rate / Stopwatch.Frequency) + 1);
            for (; next < due; next++)
            {
                sentAt[next] = Stopwatch.GetTimestamp();
                maxLag = Math.Max(maxLag, sentAt[next] - (started + (long)((double)next * Stopwatch.Frequency / rate)));
                _ = connections[next % clients].SendMessageAsync($"m{next}", $"session-{next % (clients * 4)}", "hello");
            }
            await Task.Delay(1);
        }
        var lastSent = sentAt[^1];
        while (connections.Sum(c => c.Replies + c.Errors) < total && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(seconds + 60))
        {
            await Task.Delay(5);
        }
        var clientShare = CpuClock.Self().PercentOfCoreSince(clientCpu);
        var gatewayShare = CpuClock.Read(gateway.Pid).PercentOfCoreSince(gatewayCpu);
        var latencies = new List<double>(total);
        var lastReply = started;
        for (var i = 0; i < total; i++)
        {
            var client = connections[i % clients];
            if (client.RequestIdToRunId.TryGetValue($"m{i}", out var runId) && client.RunIdToReplyTicks.TryGetValue(runId, out var replied))
            {
                latencies.Add((replied - sentAt[i]) * 1000.0 / Stopwatch.Frequency);
                lastReply = Math.Max(lastReply, replied);
            }
        }
        var p = new Percentiles(latencies);
        var sentRate = total / Stopwatch.GetElapsedTime(started, lastSent).TotalSeconds;
        var answeredRate = p.Count / Stopwatch.GetElapsedTime(started, lastReply).TotalSeconds;
        var lagMs = maxLag * 1000.0 / Stopwatch.Frequency;
        var errors = connections.Sum(c => c.Errors);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency at {rate} msg/s for {seconds} s over {clients} clients: {p.Count}/{total} replies ({errors} refused); {p.Describe()}; " +
            $"achieved: sent {sentRate:F0} msg/s, answered {answeredRate:F0} msg/s, generator at most {lagMs:F1} ms behind schedule; " +
            $"CPU: client {clientShare:F0}% of a core, gateway {gatewayShare:F0}%"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"mode\":\"latency\",\"rate\":{rate},\"seconds\":{seconds},\"clients\":{clients},\"messages\":{total},\"replies\":{p.Count},\"errors\":{errors}," +
            $"{p.Json()},\"sent_per_s\":{sentRate:F0},\"answered_per_s\":{answeredRate:F0},\"max_lag_ms\":{lagMs:F2}," +
            $"\"client_cpu_pct_of_core\":{clientShare:F0},\"gateway_cpu_pct_of_core\":{gatewayShare:F0}}}"));
        await DisposeAllAsync(connections);
        return p.Count == total ? 0 : 1;
    }

    private static async Task DisposeAllAsync(IEnumerable<BenchClient> connections)
    {
        foreach (var client in connections)
        {
            await client.DisposeAsync();
        }
    }
}

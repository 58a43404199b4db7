using System.Diagnostics;
using System.Globalization;

namespace ClawSharp.Bench;

/// <summary>
/// N WebSocket clients, each on its own session, send <c>chat.send</c> without waiting for answers
/// (at most <c>window</c> unanswered per client when a window is set); the clock stops at the last
/// reply. One sender task and one reader task per connection; the reader only counts.
/// </summary>
internal static class PipelinedLoad
{
    /// <summary>Give up when no reply arrived for this long (a stuck gateway), however long the run is.</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(60);

    public sealed record Outcome(int Total, int Replies, int Errors, TimeSpan Elapsed, TimeSpan AllSent, double ClientCpuPercent, double GatewayCpuPercent)
    {
        public bool Complete => Replies == Total && Errors == 0;

        public double PerSecond => Replies / Elapsed.TotalSeconds;

        public string Json(string mode, int clients, int window) => string.Create(CultureInfo.InvariantCulture,
            $"{{\"mode\":\"{mode}\",\"clients\":{clients},\"window\":{window},\"messages\":{Total},\"replies\":{Replies},\"errors\":{Errors}," +
            $"\"seconds\":{Elapsed.TotalSeconds:F3},\"msg_per_s\":{PerSecond:F0},\"all_sent_s\":{AllSent.TotalSeconds:F3}," +
            $"\"client_cpu_pct_of_core\":{ClientCpuPercent:F0},\"gateway_cpu_pct_of_core\":{GatewayCpuPercent:F0}}}");

        public string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"{Replies} of {Total} replies ({Errors} refused) in {Elapsed.TotalSeconds:F2} s -> {PerSecond:F0} msg/s " +
            $"(all sent after {AllSent.TotalSeconds:F2} s); CPU: client {ClientCpuPercent:F0}% of a core, gateway {GatewayCpuPercent:F0}%");
    }

    public static async Task<BenchClient[]> ConnectAsync(int port, string token, int clients, int window) =>
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => BenchClient.ConnectAsync(port, token, new BenchClient
        {
            KeepResponses = false,
            TrackRuns = false,
            Window = window > 0 ? new SemaphoreSlim(window) : null,
        })));

    public static async Task<Outcome> RunAsync(BenchClient[] connections, int total, int gatewayPid, bool progress)
    {
        // Ids unique per run, so a second run against the same gateway is not taken for repeats.
        var tag = Guid.NewGuid().ToString("N")[..6];
        var clientCpu = CpuClock.Self();
        var gatewayCpu = CpuClock.Read(gatewayPid);
        var started = Stopwatch.GetTimestamp();
        var senders = connections.Select((client, c) => Task.Run(async () =>
        {
            var count = total / connections.Length + (c < total % connections.Length ? 1 : 0);
            for (var i = 0; i < count; i++)
            {
                if (client.Window is { } window)
                {
                    await window.WaitAsync();
                }
                var id = $"{tag}-{c}-{i}";
                await client.SendMessageAsync(id, $"session-{c}", "hello");
            }
        })).ToArray();
        var allSent = TimeSpan.Zero;
        int answered = 0, lastAnswered = 0;
        var lastProgress = started;
        var lastReport = started;
        while ((answered = Answered(connections)) < total)
        {
            if (allSent == TimeSpan.Zero && senders.All(s => s.IsCompleted))
            {
                allSent = Stopwatch.GetElapsedTime(started);
            }
            if (answered != lastAnswered)
            {
                (lastAnswered, lastProgress) = (answered, Stopwatch.GetTimestamp());
            }
            else if (Stopwatch.GetElapsedTime(lastProgress) > Stall || connections.Any(c => c.ClosedTicks != 0))
            {
                Console.Error.WriteLine($"stopped: {answered} of {total} answered, none for {Stopwatch.GetElapsedTime(lastProgress).TotalSeconds:F0} s " +
                    $"or a connection closed ({string.Join("; ", connections.Select(c => c.CloseDetail).Where(d => d.Length > 0).Distinct())})");
                break;
            }
            if (progress && Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(10))
            {
                lastReport = Stopwatch.GetTimestamp();
                Console.Error.WriteLine($"{answered} of {total} answered after {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
            }
            await Task.Delay(5);
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (allSent == TimeSpan.Zero)
        {
            allSent = elapsed;
        }
        var clientShare = CpuClock.Self().PercentOfCoreSince(clientCpu);
        var gatewayShare = CpuClock.Read(gatewayPid).PercentOfCoreSince(gatewayCpu);
        return new Outcome(total, connections.Sum(c => c.Replies), connections.Sum(c => c.Errors), elapsed, allSent, clientShare, gatewayShare);
    }

    private static int Answered(BenchClient[] connections)
    {
        var sum = 0;
        foreach (var client in connections)
        {
            sum += Volatile.Read(ref client.Replies) + Volatile.Read(ref client.Errors);
        }
        return sum;
    }
}

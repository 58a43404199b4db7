using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ClawSharp.Bench;

/// <summary>
/// HTTP ingress: <c>POST /v1/messages</c> from C workers, each with its own keep-alive connection and
/// one request in flight (C = 1 is the issue's "one keep-alive client"). Times every request
/// (send → 202 read), then waits until the gateway has answered every accepted message
/// (<c>clawsharp_messages_answered_total</c> on <c>/metrics</c>).
/// </summary>
internal static class HttpBench
{
    private const string Config = """{ "logs": { "level": "warning" } }""";
    private const int WarmUp = 500;

    public static async Task<int> RunAsync(string binary, int messages, int concurrency)
    {
        await using var gateway = await BenchGateway.StartAsync(binary, Config);
        return await MeasureAsync("http", gateway.Port, gateway.Token, gateway.Pid, messages, concurrency);
    }

    /// <summary>The measurement against whatever listens on <paramref name="port"/> (the gateway, or <see cref="CeilingBench"/>'s stand-in).</summary>
    public static async Task<int> MeasureAsync(string mode, int port, string token, int serverPid, int messages, int concurrency)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var auth = new AuthenticationHeaderValue("Bearer", token);
        var statuses = new Dictionary<int, int>();

        // Warm up the client's JIT and the connections; these messages are not timed but are answered too.
        await RunWorkersAsync(http, auth, "w", WarmUp, concurrency, new double[WarmUp], statuses);
        statuses.Clear();

        var latencies = new double[messages];
        var clientCpu = CpuClock.Self();
        var gatewayCpu = CpuClock.Read(serverPid);
        var started = Stopwatch.GetTimestamp();
        await RunWorkersAsync(http, auth, "m", messages, concurrency, latencies, statuses);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var clientShare = CpuClock.Self().PercentOfCoreSince(clientCpu);
        var gatewayShare = CpuClock.Read(serverPid).PercentOfCoreSince(gatewayCpu);
        var accepted = statuses.GetValueOrDefault(202);

        // Every 202 is a message the echo agent must answer; the reply lands in the store (the HTTP
        // channel has no socket to push it to), so count the gateway's own answered counter.
        var expected = WarmUp + accepted;
        var answered = 0L;
        var answerDeadline = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency;
        while ((answered = await MetricAsync(http, "clawsharp_messages_answered_total")) < expected && Stopwatch.GetTimestamp() < answerDeadline)
        {
            await Task.Delay(20);
        }
        var allAnswered = Stopwatch.GetElapsedTime(started);
        answered -= WarmUp;

        var p = new Percentiles(latencies.Where(l => l > 0));
        var rate = messages / elapsed.TotalSeconds;
        var others = string.Join(", ", statuses.Where(s => s.Key != 202).Select(s => $"{s.Value} x {s.Key}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{mode}: POST /v1/messages, {concurrency} keep-alive connection(s), one request in flight each: {messages} in {elapsed.TotalSeconds:F2} s -> {rate:F0} msg/s; " +
            $"{p.Describe()}; {accepted} accepted (202){(others.Length > 0 ? ", " + others : "")}; {answered} answered " +
            $"(all after {allAnswered.TotalSeconds:F2} s); CPU: client {clientShare:F0}% of a core, gateway {gatewayShare:F0}%"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"mode\":\"{mode}\",\"connections\":{concurrency},\"messages\":{messages},\"accepted\":{accepted},\"answered\":{answered}," +
            $"\"seconds\":{elapsed.TotalSeconds:F3},\"msg_per_s\":{rate:F0},{p.Json()},\"all_answered_s\":{allAnswered.TotalSeconds:F3}," +
            $"\"client_cpu_pct_of_core\":{clientShare:F0},\"gateway_cpu_pct_of_core\":{gatewayShare:F0}}}"));
        return accepted == messages && answered >= accepted ? 0 : 1;
    }

    private static async Task RunWorkersAsync(HttpClient http, AuthenticationHeaderValue auth, string tag, int messages, int concurrency,
        double[] latencies, Dictionary<int, int> statuses)
    {
        var next = -1;
        var run = Guid.NewGuid().ToString("N")[..6];
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var counts = new Dictionary<int, int>();
            int i;
            while ((i = Interlocked.Increment(ref next)) < messages)
            {
                var body = Encoding.UTF8.GetBytes(
                    $$"""{"sessionKey":"http-{{worker}}-{{i % 8}}","message":"hello","idempotencyKey":"{{run}}-{{tag}}{{i}}"}""");
                using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages")
                {
                    Content = new ByteArrayContent(body),
                    Version = HttpVersion.Version11,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = auth;
                var sent = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                latencies[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                counts[(int)response.StatusCode] = counts.GetValueOrDefault((int)response.StatusCode) + 1;
            }
            lock (statuses)
            {
                foreach (var (status, count) in counts)
                {
                    statuses[status] = statuses.GetValueOrDefault(status) + count;
                }
            }
        })));
    }

    /// <summary>The value of an unlabelled series on <c>/metrics</c>; -1 when absent.</summary>
    private static async Task<long> MetricAsync(HttpClient http, string name)
    {
        var text = await http.GetStringAsync("metrics");
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return (long)double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }
        return -1;
    }
}

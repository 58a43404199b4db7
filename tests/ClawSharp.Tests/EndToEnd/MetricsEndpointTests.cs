using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary><c>GET /metrics</c> on the real binary: counters move as messages flow, restarts are counted, the drain does not close it, and a non-loopback bind needs the token.</summary>
public sealed partial class MetricsEndpointTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private static readonly Dictionary<string, string> NoRespawn = new() { ["CLAWSHARP_NO_RESPAWN"] = "1" };
    private const string NoCooldown = """{ "gateway": { "reload": { "cooldownMs": 0 } } }""";

    [Fact]
    public async Task Counters_MoveAsMessagesFlow_AndTheRespawnedProcessCountsItsRestart()
    {
        using var home = new TempHome();
        home.WriteConfig(NoCooldown);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var before = await ScrapeAsync(gateway.Port);
        Assert.Equal(0, Value(before, "clawsharp_messages_accepted_total"));
        Assert.True(Value(before, "clawsharp_ready_time_seconds") > 0, before);
        Assert.Contains("process_cpu_seconds_total", before);

        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
        await using (client)
        {
            for (var i = 0; i < 2; i++)
            {
                var sent = await CliRun.RunAsync(home, "send", $"hello {i}", "--session", "m", "--wait");
                Assert.True(sent.ExitCode == 0, sent.ToString());
            }
            using var wrongToken = new HttpRequestMessage(HttpMethod.Post, gateway.HttpUrl("/v1/messages"))
            {
                Content = new StringContent("""{"sessionKey":"m","message":"x"}""", Encoding.UTF8, "application/json"),
            };
            wrongToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
            Assert.Equal(HttpStatusCode.Unauthorized, (await Http.SendAsync(wrongToken)).StatusCode);

            var after = await ScrapeAsync(gateway.Port);
            Assert.Equal(2, Value(after, "clawsharp_messages_accepted_total"));
            Assert.Equal(2, Value(after, "clawsharp_messages_answered_total"));
            Assert.Equal(2, Value(after, "clawsharp_runs_total", "state=\"completed\""));
            Assert.Equal(1, Value(after, "clawsharp_messages_refused_total", "reason=\"unauthorized\""));
            Assert.Equal(1, Value(after, "clawsharp_websocket_clients"));
            Assert.Equal(0, Value(after, "clawsharp_queue_depth"));
        }

        gateway.Signal(Posix.SIGUSR1);
        Assert.Equal(0, await gateway.WaitForProcessExitAsync(Deadline));
        var child = gateway.LiveLockOwner;
        Assert.True(child is not null && child.Pid != gateway.Pid, gateway.AllOutput);
        try
        {
            var fresh = await ScrapeAsync(child.Port);
            Assert.Equal(1, Value(fresh, "clawsharp_restarts_total", "mode=\"respawn\""));
            Assert.DoesNotContain("reason=\"unknown\"", fresh);
            Assert.Equal(0, Value(fresh, "clawsharp_messages_accepted_total"));
        }
        finally
        {
            Posix.Kill(child.Pid, Posix.SIGTERM);
            await Eventually.AssertAsync(() => ProcessIdentity.Check(child.Pid, child.StartTime) != ProcessMatch.Same, Deadline, "the respawned gateway to stop");
        }
    }

    [Fact]
    public async Task Metrics_AnswersDuringADrain_AndCountsTheInProcessRestartAndItsDrain()
    {
        using var home = new TempHome();
        home.WriteConfig(NoCooldown);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: NoRespawn);
        // The lock is empty while the restart closes a generation: the port is taken once, here (the socket outlives generations).
        var port = gateway.Port;
        var sent = await CliRun.RunAsync(home, "send", "/delay 4000 hold", "--session", "d");
        Assert.True(sent.ExitCode == 0, sent.ToString());
        await Eventually.AssertAsync(async () => Value(await ScrapeAsync(port), "clawsharp_queue_depth") == 1, Deadline, "the run to be counted");

        var safe = await CliRun.RunAsync(home, "gateway", "restart", "--safe", "--json");
        Assert.True(safe.ExitCode == 0, safe.ToString());
        await Eventually.AssertAsync(async () => await gateway.StatusOfAsync("/readyz", port) == HttpStatusCode.ServiceUnavailable, Deadline, "/readyz to say 503");
        var draining = await ScrapeAsync(port);
        Assert.Equal(1, Value(draining, "clawsharp_queue_depth"));

        // Scrapes that land while one generation closes and the next starts may fail: only the outcome is asserted.
        await Eventually.AssertAsync(async () => Value(await TryScrapeAsync(port), "clawsharp_restarts_total", "mode=\"in-process\"") == 1,
            Deadline, "the in-process restart to be counted");
        var after = await ScrapeAsync(port);
        Assert.Equal(1, Value(after, "clawsharp_drain_duration_seconds_count", "kind=\"restart\""));
        Assert.True(Value(after, "clawsharp_drain_duration_seconds_sum", "kind=\"restart\"") > 1, after);
        Assert.Equal(1, Value(after, "clawsharp_runs_total", "state=\"completed\""));
    }

    [Fact]
    public async Task AGatewayStartedByItsSupervisorAfterARestart_CountsIt_AsDoesTheFirstUnderANewSupervisor()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "daemon": { "resupervise": false } }""");
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        var first = await DaemonTests.StatusJsonAsync(home);
        var port = first.GetProperty("port").GetInt32();
        Assert.Equal(0, Value(await ScrapeAsync(port), "clawsharp_restarts_total"));

        var restart = await CliRun.RunAsync(home, "gateway", "restart");
        Assert.True(restart.ExitCode == 0, restart.ToString());
        var supervised = await ScrapeAsync(port);
        Assert.Equal(1, Value(supervised, "clawsharp_restarts_total", "mode=\"supervised\"", "reason=\"clawsharp gateway restart\""));

        // The supervisor dies; the restart that puts the gateway under a new one is counted by that one's first gateway.
        await DaemonTests.KillTheSupervisorAsync(await DaemonTests.StatusJsonAsync(home));
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "start", "--port", "0")).ExitCode);
        var again = await ScrapeAsync(port);
        Assert.Equal(1, Value(again, "clawsharp_restarts_total", "mode=\"supervised\"", "reason=\"clawsharp gateway start: gateway pid"));
        Assert.Equal(1, Value(again, "clawsharp_restarts_total"));
        await CliRun.RunAsync(home, "gateway", "stop");
    }

    [Fact]
    public async Task NonLoopbackBind_RefusesAScrapeWithoutTheToken()
    {
        var address = NonLoopbackAddress();
        if (address is null)
        {
            // No non-loopback IPv4 address on this machine: the decision is covered by MetricsAccessTests alone.
            return;
        }
        using var home = new TempHome();
        await using var gateway = GatewayProcess.Start(home, ["gateway", "run", "--port", "0", "--bind", address!.ToString()]);
        await Eventually.AssertAsync(() => gateway.Port != 0 || gateway.HasExited, Deadline, "the gateway to bind");
        Assert.False(gateway.HasExited, gateway.AllOutput);
        var url = new Uri($"http://{address}:{gateway.Port}/metrics");
        await Eventually.AssertAsync(async () => await StatusAsync(url, null) is HttpStatusCode.Unauthorized, Deadline, "/metrics to answer 401 without the token");
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(url, "wrong"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(url, TokenStore.TryRead(home.State)));

        // Wrong tokens count as the failed-auth throttle's failures: past its limit, 429, not a guess a millisecond.
        var answers = new List<HttpStatusCode?>();
        for (var attempt = 0; attempt < 15 && !answers.Contains(HttpStatusCode.TooManyRequests); attempt++)
        {
            answers.Add(await StatusAsync(url, $"wrong{attempt}"));
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        Assert.Contains($"unauthorized GET /metrics from {address}", gateway.Stderr.Text + gateway.Stdout.Text);
        // The right token still gets in while the bucket is throttled.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(url, TokenStore.TryRead(home.State)));
    }

    private static IPAddress? NonLoopbackAddress() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    private static async Task<HttpStatusCode?> StatusAsync(Uri url, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        try
        {
            using var response = await Http.SendAsync(request);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task<string> TryScrapeAsync(int port)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : "";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return "";
        }
    }

    private static async Task<string> ScrapeAsync(int port)
    {
        using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {body}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType ?? "");
        return body;
    }

    /// <summary>The sum of a series' samples whose labels include every one of <paramref name="labels"/>; 0 when there is none (a counter not yet moved).</summary>
    private static double Value(string scrape, string name, params string[] labels) => scrape.Split('\n')
        .Select(line => Sample().Match(line))
        .Where(m => m.Success && m.Groups["name"].Value == name && labels.All(l => m.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
        .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)")]
    private static partial Regex Sample();
}

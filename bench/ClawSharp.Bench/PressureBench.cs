using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Lifecycle;

namespace ClawSharp.Bench;

/// <summary>
/// Restarts under pressure (issue 17), over real processes, a fresh gateway per round:
/// <list type="number">
/// <item>Burst: two <c>gateway restart --safe --json</c> processes, one <c>gateway.restart.request</c> on each of two
/// connected clients and a SIGUSR1, fired together; timed until every requester has its answer; checked for exactly one
/// new generation. In-process (<c>CLAWSHARP_NO_RESPAWN=1</c>) and fresh-PID respawn rounds interleaved.</item>
/// <item>--force during a drain: a 60 s run blocks a deferred <c>--safe</c> restart; <c>gateway restart --force</c> is timed
/// from spawn to exit, and the gateway's own gap (<c>shutdown</c> event → <c>/readyz</c> 200).</item>
/// </list>
/// Every wait has a deadline; a bad round is reported and counted, never thrown.
/// </summary>
internal static class PressureBench
{
    private const string Config = """{ "gateway": { "reload": { "cooldownMs": 0 } } }""";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);
    private static readonly Dictionary<string, int> Outcomes = new(StringComparer.Ordinal);

    public static async Task<int> RunAsync(string binary, int rounds)
    {
        binary = Path.GetFullPath(binary);
        var burst = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
        var burstAll = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
        var burstBad = new Dictionary<bool, int> { [false] = 0, [true] = 0 };
        for (var round = 0; round < rounds; round++)
        {
            foreach (var respawn in new[] { false, true })
            {
                var (ms, problems) = await BurstRoundAsync(binary, respawn);
                if (problems.Count > 0)
                {
                    burstBad[respawn]++;
                    Console.Error.WriteLine($"burst {(respawn ? "respawn" : "in-process")} round {round}: VIOLATED: {string.Join("; ", problems)}");
                }
                if (ms is { } value)
                {
                    burstAll[respawn].Add(value);
                    if (problems.Count == 0)
                    {
                        burst[respawn].Add(value);
                    }
                }
            }
        }
        var forceWall = new List<double>();
        var forceGap = new List<double>();
        var forceBad = 0;
        for (var round = 0; round < rounds; round++)
        {
            var (wall, gap, problems) = await ForceRoundAsync(binary);
            if (problems.Count > 0)
            {
                forceBad++;
                Console.Error.WriteLine($"force round {round}: VIOLATED: {string.Join("; ", problems)}");
            }
            if (wall is { } w && gap is { } g)
            {
                forceWall.Add(w);
                forceGap.Add(g);
            }
        }
        foreach (var respawn in new[] { false, true })
        {
            Console.WriteLine($"burst -> every requester answered, {(respawn ? "fresh-PID respawn" : "in-process (NO_RESPAWN)")}: "
                + $"clean rounds {Summary(burst[respawn])}; all rounds {Summary(burstAll[respawn])}; rounds violating a check: {burstBad[respawn]} of {rounds}");
        }
        foreach (var (outcome, count) in Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"  answers: {outcome}: {count}");
        }
        Console.WriteLine($"--force during a drain, CLI spawn -> exit: {Summary(forceWall)}; rounds violating a check: {forceBad} of {rounds}");
        Console.WriteLine($"--force during a drain, gateway gap (shutdown event -> /readyz 200): {Summary(forceGap)}");
        return burstBad.Values.Sum() + forceBad == 0 ? 0 : 1;
    }

    private static async Task<(double? Ms, List<string> Problems)> BurstRoundAsync(string binary, bool respawn)
    {
        var problems = new List<string>();
        Environment.SetEnvironmentVariable(RestartModeSelector.NoRespawnVariable, respawn ? null : "1");
        BenchGateway? gateway = null;
        BenchClient? first = null;
        BenchClient? second = null;
        var clis = new List<Cli>();
        try
        {
            gateway = await BenchGateway.StartAsync(binary, Config);
            var home = gateway.State.Root;
            var bootBefore = await FreshBootIdAsync(gateway);
            var readyBefore = ReadyLines(gateway);
            first = await BenchClient.ConnectAsync(gateway.Port, gateway.Token).WaitAsync(Deadline);
            second = await BenchClient.ConnectAsync(gateway.Port, gateway.Token).WaitAsync(Deadline);
            var pid = gateway.CurrentPid;

            var started = Stopwatch.GetTimestamp();
            var spawns = new[]
            {
                Task.Run(() => Cli.Start(binary, "gateway", "restart", "--safe", "--json", "--home", home)),
                Task.Run(() => Cli.Start(binary, "gateway", "restart", "--safe", "--json", "--home", home)),
            };
            var fire = new List<Task>
            {
                spawns[0],
                spawns[1],
                first.SendRawAsync("""{"type":"req","id":"burst","method":"gateway.restart.request","params":{"reason":"bench burst 1"}}"""),
                second.SendRawAsync("""{"type":"req","id":"burst","method":"gateway.restart.request","params":{"reason":"bench burst 2"}}"""),
                Task.Run(() =>
                {
                    if (!Posix.Kill(pid, Posix.SIGUSR1))
                    {
                        lock (problems)
                        {
                            problems.Add($"SIGUSR1 to pid {pid} failed");
                        }
                    }
                }),
            };
            await Task.WhenAll(fire).WaitAsync(Deadline);
            clis.AddRange(spawns.Select(spawn => spawn.Result));

            var deadline = Stopwatch.GetTimestamp() + (long)(Deadline.TotalSeconds * Stopwatch.Frequency);
            var clients = new[] { first, second };
            while (Stopwatch.GetTimestamp() < deadline
                && (clients.Any(c => !c.Responses.ContainsKey("burst") && Interlocked.Read(ref c.ClosedTicks) == 0) || clis.Any(c => !c.Exited)))
            {
                await Task.Delay(1);
            }
            await Task.WhenAll(clis.Select(c => c.WaitAsync(TimeSpan.FromSeconds(1))));
            double? elapsed = null;
            var answeredAt = new List<long>();
            for (var i = 0; i < clients.Length; i++)
            {
                if (clients[i].Responses.TryGetValue("burst", out var answer))
                {
                    answeredAt.Add(answer.Ticks);
                    var frame = answer.Frame;
                    var ok = frame.GetProperty("ok").GetBoolean() && frame.TryGetProperty("payload", out var payload) && payload.GetProperty("ok").GetBoolean();
                    Tally(respawn, "rpc " + (ok ? Outcome(frame.GetProperty("payload")) : "error"));
                    if (!ok)
                    {
                        problems.Add($"client {i + 1}: answer not ok: {frame.GetRawText()}");
                    }
                }
                else if (Interlocked.Read(ref clients[i].ClosedTicks) != 0)
                {
                    var shutdownAt = Interlocked.Read(ref clients[i].ShutdownTicks);
                    problems.Add($"client {i + 1}: connection closed with no answer to gateway.restart.request "
                        + $"({Ms(started, Interlocked.Read(ref clients[i].ClosedTicks))} after the burst; "
                        + (shutdownAt == 0 ? "no shutdown event" : $"shutdown event at {Ms(started, shutdownAt)}") + $"; {clients[i].CloseDetail})");
                }
                else
                {
                    problems.Add($"client {i + 1}: no answer within {Deadline.TotalSeconds} s");
                }
            }
            for (var i = 0; i < clis.Count; i++)
            {
                var cli = clis[i];
                if (!cli.Exited)
                {
                    problems.Add($"CLI {i + 1}: still running after {Deadline.TotalSeconds} s (killed)");
                    continue;
                }
                answeredAt.Add(cli.ExitTicks);
                Tally(respawn, "cli " + (cli.ExitCode == 0 ? CliOutcome(cli.Output) : $"exit {cli.ExitCode}"));
                if (cli.ExitCode != 0 || !JsonOk(cli.Output))
                {
                    problems.Add($"CLI {i + 1}: exit {cli.ExitCode} at {Ms(started, cli.ExitTicks)}, stdout {cli.Output.Trim()}, stderr {cli.Error.Trim()}");
                }
            }
            if (answeredAt.Count == 4)
            {
                elapsed = (answeredAt.Max() - started) * 1000.0 / Stopwatch.Frequency;
            }

            // Exactly one new generation: a different boot id on a fresh connection, and one more "gateway ready" in the log,
            // still so after a settle time (a late second restart would show here).
            await Task.Delay(Settle);
            var bootAfter = await FreshBootIdAsync(gateway);
            var readyAfter = ReadyLines(gateway);
            if (bootAfter == bootBefore)
            {
                problems.Add($"boot id unchanged ({bootBefore}): no restart");
            }
            if (readyAfter.Count - readyBefore.Count != 1)
            {
                problems.Add($"{readyAfter.Count - readyBefore.Count} new generations (want 1): {string.Join(" | ", readyAfter.Skip(readyBefore.Count))}");
            }
            else if (!readyAfter[^1].Contains(bootAfter, StringComparison.Ordinal))
            {
                problems.Add($"the new generation in the log is not the one serving ({bootAfter}): {readyAfter[^1]}");
            }
            if (problems.Count > 0)
            {
                problems.Add("gateway log:\n    " + string.Join("\n    ", LogLines(gateway).TakeLast(40)));
            }
            return (elapsed, problems);
        }
        catch (Exception e)
        {
            problems.Add($"round failed: {e.GetType().Name}: {e.Message}");
            return (null, problems);
        }
        finally
        {
            await CleanUpAsync(gateway, clis, first, second);
        }
    }

    private static async Task<(double? Wall, double? Gap, List<string> Problems)> ForceRoundAsync(string binary)
    {
        var problems = new List<string>();
        Environment.SetEnvironmentVariable(RestartModeSelector.NoRespawnVariable, "1");
        BenchGateway? gateway = null;
        BenchClient? client = null;
        var clis = new List<Cli>();
        try
        {
            gateway = await BenchGateway.StartAsync(binary, Config);
            var home = gateway.State.Root;
            client = await BenchClient.ConnectAsync(gateway.Port, gateway.Token).WaitAsync(Deadline);
            var bootBefore = client.BootId;
            var readyBefore = ReadyLines(gateway).Count;
            await client.SendMessageAsync("blocked", "pressure", "/delay 60000 blocked");
            var deadline = Stopwatch.GetTimestamp() + (long)(Deadline.TotalSeconds * Stopwatch.Frequency);
            var counted = false;
            for (var poll = 0; !counted && Stopwatch.GetTimestamp() < deadline; poll++)
            {
                var id = $"pf{poll}";
                await client.SendRawAsync($$$"""{"type":"req","id":"{{{id}}}","method":"gateway.restart.preflight"}""");
                while (!client.Responses.ContainsKey(id) && Stopwatch.GetTimestamp() < deadline)
                {
                    await Task.Delay(1);
                }
                counted = client.Responses.TryGetValue(id, out var answer) && answer.Frame.GetProperty("ok").GetBoolean()
                    && answer.Frame.GetProperty("payload").GetProperty("counts").GetProperty("embeddedRuns").GetInt32() == 1;
                if (!counted)
                {
                    await Task.Delay(5);
                }
            }
            if (!counted)
            {
                problems.Add("the preflight never counted 1 embedded run");
                return (null, null, problems);
            }

            var safe = Cli.Start(binary, "gateway", "restart", "--safe", "--home", home);
            clis.Add(safe);
            await safe.WaitAsync(Deadline);
            if (!safe.Exited || safe.ExitCode != 0 || !safe.Output.Contains("after active work drains", StringComparison.Ordinal))
            {
                problems.Add($"--safe not answered deferred: exited {safe.Exited}, exit {safe.ExitCode}, stdout {safe.Output.Trim()}, stderr {safe.Error.Trim()}");
            }

            var started = Stopwatch.GetTimestamp();
            var forceDeadline = started + (long)(Deadline.TotalSeconds * Stopwatch.Frequency);
            var force = Cli.Start(binary, "gateway", "restart", "--force", "--home", home);
            clis.Add(force);
            var port = gateway.Port;
            var ready = Task.Factory.StartNew(() =>
            {
                while (Interlocked.Read(ref client.ShutdownTicks) == 0 && Stopwatch.GetTimestamp() < forceDeadline)
                {
                    Thread.Yield();
                }
                while (!Ready(port) && Stopwatch.GetTimestamp() < forceDeadline)
                {
                }
                return Stopwatch.GetTimestamp();
            }, TaskCreationOptions.LongRunning);
            await force.WaitAsync(Deadline);
            var readyTicks = await ready.WaitAsync(Deadline + Deadline);
            double? wall = null;
            double? gap = null;
            if (!force.Exited || force.ExitCode != 0)
            {
                problems.Add($"--force: exited {force.Exited}, exit {force.ExitCode}, stdout {force.Output.Trim()}, stderr {force.Error.Trim()}");
            }
            else
            {
                wall = (force.ExitTicks - started) * 1000.0 / Stopwatch.Frequency;
            }
            var shutdown = Interlocked.Read(ref client.ShutdownTicks);
            if (shutdown == 0)
            {
                problems.Add("no shutdown event reached the connected client");
            }
            else if (Ready(port))
            {
                gap = (readyTicks - shutdown) * 1000.0 / Stopwatch.Frequency;
            }
            else
            {
                problems.Add("/readyz not 200 after the restart");
            }
            var bootAfter = await FreshBootIdAsync(gateway);
            if (bootAfter == bootBefore)
            {
                problems.Add($"boot id unchanged ({bootBefore}): not restarted");
            }
            var readyAfter = ReadyLines(gateway).Count;
            if (readyAfter - readyBefore != 1)
            {
                problems.Add($"{readyAfter - readyBefore} new generations (want 1)");
            }
            return (wall, gap, problems);
        }
        catch (Exception e)
        {
            problems.Add($"round failed: {e.GetType().Name}: {e.Message}");
            return (null, null, problems);
        }
        finally
        {
            await CleanUpAsync(gateway, clis, client);
        }
    }

    private static async Task CleanUpAsync(BenchGateway? gateway, List<Cli> clis, params BenchClient?[] clients)
    {
        foreach (var cli in clis)
        {
            cli.Dispose();
        }
        foreach (var client in clients)
        {
            if (client is not null)
            {
                try
                {
                    await client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
                }
                catch (Exception e) when (e is TimeoutException or System.Net.WebSockets.WebSocketException)
                {
                }
            }
        }
        if (gateway is not null)
        {
            await gateway.DisposeAsync();
        }
    }

    /// <summary>The boot id a new connection is greeted with (retried until the deadline: the gateway may be restarting).</summary>
    private static async Task<string> FreshBootIdAsync(BenchGateway gateway)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                await using var probe = await BenchClient.ConnectAsync(gateway.Port, gateway.Token).WaitAsync(TimeSpan.FromSeconds(5));
                if (probe.BootId.Length > 0)
                {
                    return probe.BootId;
                }
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or TimeoutException or IOException or JsonException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"no hello-ok with a boot id within {Deadline.TotalSeconds} s: {e.Message}");
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no hello-ok with a boot id within {Deadline.TotalSeconds} s");
            }
            await Task.Delay(10);
        }
    }

    /// <summary>The "gateway ready" lines in the gateway's log: one per generation that came up.</summary>
    private static List<string> ReadyLines(BenchGateway gateway) =>
        LogLines(gateway).Where(line => line.Contains("gateway ready on", StringComparison.Ordinal)).ToList();

    private static List<string> LogLines(BenchGateway gateway)
    {
        var lines = new List<string>();
        var directory = gateway.State.LogsDirectory;
        if (!Directory.Exists(directory))
        {
            return lines;
        }
        foreach (var file in Directory.GetFiles(directory, "gateway*.log").Order(StringComparer.Ordinal))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }
        return lines;
    }

    private static void Tally(bool respawn, string outcome)
    {
        var key = (respawn ? "respawn " : "in-process ") + outcome;
        Outcomes[key] = Outcomes.GetValueOrDefault(key) + 1;
    }

    /// <summary>scheduled, deferred, coalesced (joined the pending restart) or satisfied (a newer generation answered).</summary>
    private static string Outcome(JsonElement payload)
    {
        var status = payload.GetProperty("status").GetString() ?? "?";
        return payload.TryGetProperty("restart", out var restart) && restart.TryGetProperty("satisfiedBy", out var by) && by.ValueKind == JsonValueKind.Object
            ? status + " (satisfiedBy)"
            : status;
    }

    private static string CliOutcome(string output)
    {
        try
        {
            using var document = JsonDocument.Parse(output);
            var root = document.RootElement;
            var result = root.TryGetProperty("result", out var r) ? r.GetString() ?? "?" : "?";
            var satisfied = root.TryGetProperty("restart", out var restart) && restart.TryGetProperty("satisfiedBy", out var by) && by.ValueKind == JsonValueKind.Object;
            return satisfied ? result + " (satisfiedBy)" : result;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "unparsed";
        }
    }

    private static bool JsonOk(string output)
    {
        try
        {
            using var document = JsonDocument.Parse(output);
            return document.RootElement.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Ready(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.ReceiveTimeout = 2000;
            socket.Connect("127.0.0.1", port);
            socket.Send("GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8);
            var buffer = new byte[32];
            var read = socket.Receive(buffer);
            return read >= 12 && System.Text.Encoding.ASCII.GetString(buffer, 0, 12) == "HTTP/1.1 200";
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Ms(long from, long to) =>
        string.Create(CultureInfo.InvariantCulture, $"{(to - from) * 1000.0 / Stopwatch.Frequency:F1} ms");

    private static string Summary(List<double> values)
    {
        if (values.Count == 0)
        {
            return "no timed rounds";
        }
        var sorted = values.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"n {sorted.Count}, median {sorted[sorted.Count / 2]:F1} ms, min {sorted[0]:F1}, max {sorted[^1]:F1}");
    }

    /// <summary>A CLI process: its output read in full, its exit time taken as it happens; killed (with its children) when disposed while running.</summary>
    private sealed class Cli : IDisposable
    {
        private readonly Process process;
        private readonly Task<string> output;
        private readonly Task<string> error;
        private readonly Task exited;

        private Cli(Process process)
        {
            this.process = process;
            output = process.StandardOutput.ReadToEndAsync();
            error = process.StandardError.ReadToEndAsync();
            exited = Task.Run(async () =>
            {
                await process.WaitForExitAsync();
                ExitTicks = Stopwatch.GetTimestamp();
                ExitCode = process.ExitCode;
                Exited = true;
            });
        }

        public bool Exited { get; private set; }
        public long ExitTicks { get; private set; }
        public int ExitCode { get; private set; } = -1;
        public string Output => output.IsCompletedSuccessfully ? output.Result : "";
        public string Error => error.IsCompletedSuccessfully ? error.Result : "";

        public static Cli Start(string binary, params string[] args)
        {
            var info = new ProcessStartInfo(binary, args)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            return new Cli(Process.Start(info)!);
        }

        public async Task WaitAsync(TimeSpan timeout)
        {
            try
            {
                await exited.WaitAsync(timeout);
                await Task.WhenAll(output, error).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
            }
        }

        public void Dispose()
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            process.Dispose();
        }
    }
}

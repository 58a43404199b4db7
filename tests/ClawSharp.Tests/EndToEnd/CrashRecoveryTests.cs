using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

public sealed class CrashRecoveryTests
{
    private const int Sessions = 8;

    [Fact]
    public async Task KillMinus9_MidBurst_EveryAcknowledgedMessageIsAnsweredOnce()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "agents": { "maxConcurrentRuns": 4, "echo": { "delayMs": 15 } } }""");
        var acknowledged = new List<(string Session, string MessageId)>();

        await using (var gateway = await GatewayProcess.StartGatewayAsync(home))
        {
            var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
            await using var _ = client;
            for (var i = 0; ; i++)
            {
                var session = $"s{i % Sessions}";
                JsonElement response;
                try
                {
                    response = await client.RequestAsync("chat.send",
                        $$"""{"sessionKey":"{{session}}","message":"m{{i}}","idempotencyKey":"burst-{{i}}"}""");
                }
                catch (Exception e) when (e is InvalidOperationException or System.Net.WebSockets.WebSocketException)
                {
                    break;
                }
                Assert.True(response.GetProperty("ok").GetBoolean(), response.ToString());
                acknowledged.Add((session, response.GetProperty("payload").GetProperty("messageId").GetString()!));
                if (i == 120)
                {
                    // Mid-burst: runs are queued, running and being answered right now.
                    gateway.Signal(Posix.SIGKILL);
                }
            }
            await gateway.WaitForExitAsync();
        }
        Assert.True(acknowledged.Count >= 121);

        await using var restarted = await GatewayProcess.StartGatewayAsync(home);
        var (reader, _) = await RawProtocolClient.ConnectAsync(restarted.Port, TokenStore.TryRead(home.State)!);
        await using var __ = reader;

        await AssertEachAnsweredOnceAsync(reader, Sessions, acknowledged.Select(a => a.MessageId).ToList());
        // The kill really cut work off: the new process found runs to finish.
        var recovered = System.Text.RegularExpressions.Regex.Match(restarted.Stdout.Text, @"(\d+) interrupted run\(s\) queued again, \d+ failed, (\d+) run\(s\) queued");
        Assert.True(recovered.Success, restarted.Stdout.Text);
        Assert.True(int.Parse(recovered.Groups[2].Value) > 0, recovered.Value);
    }

    [Fact]
    public async Task KillMinus9_InsideALargeGroupCommit_LosesNoAcknowledgedMessage_AndHalfWritesNothing()
    {
        using var home = new TempHome();
        const int Connections = 24;
        // A slow disk: the writer waits before taking a batch and again before committing it, so
        // batches hold many writes and the kill lands inside one.
        var faults = new Dictionary<string, string> { [Gateway.Diagnostics.GatewayFaults.EnvironmentVariable] = "slow-store-commit" };
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<(string Session, string MessageId)>();
        double writesPerCommit;

        await using (var gateway = await GatewayProcess.StartGatewayAsync(home, environment: faults))
        {
            var token = TokenStore.TryRead(home.State)!;
            var clients = await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => RawProtocolClient.ConnectAsync(gateway.Port, token)));
            using var killed = new CancellationTokenSource();
            var senders = clients.Select((c, n) => Task.Run(async () =>
            {
                for (var i = 0; !killed.IsCancellationRequested; i++)
                {
                    var session = $"s{n}";
                    JsonElement response;
                    try
                    {
                        response = await c.Client.RequestAsync("chat.send", $$"""{"sessionKey":"{{session}}","message":"m{{i}}","idempotencyKey":"k{{n}}-{{i}}"}""");
                    }
                    catch (Exception e) when (e is InvalidOperationException or System.Net.WebSockets.WebSocketException)
                    {
                        return;
                    }
                    if (response.GetProperty("ok").GetBoolean())
                    {
                        acknowledged.Add((session, response.GetProperty("payload").GetProperty("messageId").GetString()!));
                    }
                }
            })).ToList();
            await Eventually.AssertAsync(() => Task.FromResult(acknowledged.Count >= 200), TimeSpan.FromSeconds(60), "200 acknowledged messages");
            writesPerCommit = await WritesPerCommitAsync(gateway.Port);
            gateway.Signal(Posix.SIGKILL);
            await gateway.WaitForExitAsync();
            killed.Cancel();
            await Task.WhenAll(senders);
            foreach (var (client, _) in clients)
            {
                await client.DisposeAsync();
            }
        }
        Assert.True(writesPerCommit >= 4, $"batches held {writesPerCommit:F1} writes on average: not a group commit");

        // Straight after the kill, before anything recovers: every acknowledged message is in the
        // file, and every message there has its run (a batch is all or nothing).
        using (var store = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={home.State.StoreFile};Mode=ReadOnly;Pooling=False"))
        {
            store.Open();
            var ids = Strings(store, "SELECT id FROM messages");
            Assert.All(acknowledged, a => Assert.Contains(a.MessageId, ids));
            Assert.Empty(Strings(store, "SELECT m.id FROM messages m LEFT JOIN runs r ON r.message_id = m.id WHERE r.id IS NULL"));
        }

        await using var restarted = await GatewayProcess.StartGatewayAsync(home);
        var (reader, _) = await RawProtocolClient.ConnectAsync(restarted.Port, TokenStore.TryRead(home.State)!);
        await using var __ = reader;
        await AssertEachAnsweredOnceAsync(reader, Connections, acknowledged.Select(a => a.MessageId).ToList());
    }

    /// <summary>Waits until every acknowledged message has its reply in the history of sessions s0…s(N-1), then asserts none has two.</summary>
    private static async Task AssertEachAnsweredOnceAsync(RawProtocolClient reader, int sessions, List<string> acknowledged)
    {
        Dictionary<string, int> repliesByMessage = [];
        await Eventually.AssertAsync(async () =>
        {
            repliesByMessage = [];
            for (var s = 0; s < sessions; s++)
            {
                var history = await reader.RequestAsync("chat.history", $$"""{"sessionKey":"s{{s}}","limit":1000}""");
                foreach (var entry in history.GetProperty("payload").GetProperty("messages").EnumerateArray()
                             .Where(m => m.GetProperty("role").GetString() == "assistant"))
                {
                    var id = entry.GetProperty("messageId").GetString()!;
                    repliesByMessage[id] = repliesByMessage.GetValueOrDefault(id) + 1;
                }
            }
            return acknowledged.All(repliesByMessage.ContainsKey);
        }, TimeSpan.FromSeconds(60), "every acknowledged message to be answered");
        Assert.All(repliesByMessage, pair => Assert.True(pair.Value == 1, $"{pair.Key} answered {pair.Value} times"));
    }

    private static async Task<double> WritesPerCommitAsync(int port)
    {
        var values = await MetricsScrape.ValuesAsync(port, "clawsharp_store_writes_total", "clawsharp_store_commits_total");
        return values[0] / values[1];
    }

    private static List<string> Strings(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}

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

        Dictionary<string, int> repliesByMessage = [];
        await Eventually.AssertAsync(async () =>
        {
            repliesByMessage = [];
            for (var s = 0; s < Sessions; s++)
            {
                var history = await reader.RequestAsync("chat.history", $$"""{"sessionKey":"s{{s}}","limit":1000}""");
                foreach (var entry in history.GetProperty("payload").GetProperty("messages").EnumerateArray()
                             .Where(m => m.GetProperty("role").GetString() == "assistant"))
                {
                    var id = entry.GetProperty("messageId").GetString()!;
                    repliesByMessage[id] = repliesByMessage.GetValueOrDefault(id) + 1;
                }
            }
            return acknowledged.All(a => repliesByMessage.ContainsKey(a.MessageId));
        }, TimeSpan.FromSeconds(60), "every acknowledged message to be answered");

        Assert.All(repliesByMessage, pair => Assert.True(pair.Value == 1, $"{pair.Key} answered {pair.Value} times"));
        // The kill really cut work off: the new process found runs to finish.
        var recovered = System.Text.RegularExpressions.Regex.Match(restarted.Stdout.Text, @"(\d+) interrupted run\(s\) queued again, \d+ failed, (\d+) run\(s\) queued");
        Assert.True(recovered.Success, restarted.Stdout.Text);
        Assert.True(int.Parse(recovered.Groups[2].Value) > 0, recovered.Value);
    }
}

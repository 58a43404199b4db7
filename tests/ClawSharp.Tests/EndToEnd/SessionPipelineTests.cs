using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// A session's runs never overlap, but its next run does not wait for the previous run's commit:
/// a run answered at once (echo) starts and ends in one write, queued behind the session's
/// earlier writes, so a burst on one session shares commits and keeps its order.
/// </summary>
public sealed class SessionPipelineTests
{
    [Fact]
    public async Task ABurstOnOneSession_SharesCommits_AndIsAnsweredInOrder()
    {
        using var home = new TempHome();
        const int Messages = 40;
        // A slow disk (every commit ~50 ms): a session whose every run waited for two commits of its own would need 80 or more.
        var faults = new Dictionary<string, string> { [Gateway.Diagnostics.GatewayFaults.EnvironmentVariable] = "slow-store-commit" };
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: faults);
        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
        await using var _ = client;
        var before = await MetricsScrape.ValuesAsync(gateway.Port, "clawsharp_store_commits_total");

        var sent = new List<string>();
        for (var i = 0; i < Messages; i++)
        {
            // One run in the middle has to run (a delay): its start is committed before it, and the order still holds.
            var text = i == Messages / 2 ? "/delay 30 slow" : $"m{i}";
            sent.Add(text.StartsWith('/') ? "slow" : text);
            await client.SendTextAsync($$$"""{"type":"req","id":"r{{{i}}}","method":"chat.send","params":{"sessionKey":"one","message":"{{{text}}}"}}""");
        }
        var events = await client.WaitForChatEventsAsync(Messages, TimeSpan.FromSeconds(60));
        var after = await MetricsScrape.ValuesAsync(gateway.Port, "clawsharp_store_commits_total");

        Assert.Equal(sent, events.Select(e => e.GetProperty("payload").GetProperty("message").GetProperty("content").GetString()));
        Assert.All(events, e => Assert.Equal("final", e.GetProperty("payload").GetProperty("state").GetString()));
        var commits = after[0] - before[0];
        Assert.True(commits < Messages, $"{Messages} messages of one session took {commits} commits: its runs waited for commits of their own");
    }

    [Fact]
    public async Task AMessageToAnIdleSession_IsAnsweredInTheWriteThatAcceptsIt()
    {
        using var home = new TempHome();
        const int Messages = 5;
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
        await using var _ = client;
        var before = await MetricsScrape.ValuesAsync(gateway.Port, "clawsharp_store_writes_total", "clawsharp_store_synced_commits_total");

        for (var i = 0; i < Messages; i++)
        {
            // One at a time: the session is idle at each message.
            await client.SendTextAsync($$$"""{"type":"req","id":"r{{{i}}}","method":"chat.send","params":{"sessionKey":"idle","message":"m{{{i}}}"}}""");
            var final = (await client.WaitForChatEventsAsync(i + 1, TimeSpan.FromSeconds(30)))[i];
            Assert.Equal($"m{i}", final.GetProperty("payload").GetProperty("message").GetProperty("content").GetString());
        }
        // The last publish mark may still be on its way.
        await Eventually.AssertAsync(async () =>
            (await MetricsScrape.ValuesAsync(gateway.Port, "clawsharp_store_writes_total"))[0] - before[0] >= 2 * Messages,
            TimeSpan.FromSeconds(30), "the publish marks");
        var after = await MetricsScrape.ValuesAsync(gateway.Port, "clawsharp_store_writes_total", "clawsharp_store_synced_commits_total");

        // Per message: the accept (with the run and its reply) and the publish mark; no write of the run's own.
        Assert.Equal(2 * Messages, after[0] - before[0]);
        // Only the accepts are synced (durable mode): the marks may be lost in a power cut.
        Assert.Equal(Messages, after[1] - before[1]);
    }
}

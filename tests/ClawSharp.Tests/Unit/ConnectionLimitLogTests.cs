using ClawSharp.Gateway.Server;
using ClawSharp.Tests.Fakes;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.Unit;

/// <summary>How ConnectionLimit tells of refusals: at the first one, then once a minute with how many more, never lost.</summary>
public sealed class ConnectionLimitLogTests
{
    [Fact]
    public async Task ABurstIsToldAtItsFirstRefusal_ThenItsRestAMinuteLater_AndAQuietMinuteSaysNothing()
    {
        var time = new FakeTimeProvider();
        var logger = new TranscriptLogger(new Transcript());
        using var limit = new ConnectionLimit(16, null, logger, time);
        var held = new TaskCompletionSource();
        var handle = limit.Around(_ => held.Task);
        var open = Enumerable.Range(0, 16).Select(i => handle(new DefaultConnectionContext($"held{i}"))).ToList();

        for (var i = 0; i < 5; i++)
        {
            await handle(new DefaultConnectionContext($"flood{i}"));
        }
        Assert.Equal(["refused 1 connection(s)"], Refusals(logger));

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["refused 1 connection(s)", "refused 4 connection(s)"], Refusals(logger));

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(2, Refusals(logger).Count);
        Assert.Equal(16, limit.Open);

        held.SetResult();
        await Task.WhenAll(open);
        Assert.Equal(0, limit.Open);
    }

    private static List<string> Refusals(TranscriptLogger logger) =>
        [.. logger.Lines.Where(l => l.StartsWith("refused ", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(" since", StringComparison.Ordinal)])];
}

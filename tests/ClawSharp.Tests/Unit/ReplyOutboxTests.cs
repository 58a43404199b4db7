using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Storage;
using ClawSharp.Gateway.Work;
using ClawSharp.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClawSharp.Tests.Unit;

/// <summary>The outbox on a real store: what happens when the store refuses the mark that a reply's event went out.</summary>
public sealed class ReplyOutboxTests : IDisposable
{
    private readonly TempHome home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task AMarkTheStoreRefuses_IsAnnouncedAgainAndMarked_OnceTheStoreTakesWrites()
    {
        // What a full disk does to the mark: the write fails. A trigger stands in for the disk, in place before the
        // store opens, so that its connections read it with the schema.
        using (GatewayStore.Open(home.State.StoreFile, TimeProvider.System))
        {
        }
        Raw("CREATE TRIGGER refuse_marks BEFORE UPDATE OF published ON replies WHEN NEW.published = 1 BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;");
        using var store = GatewayStore.Open(home.State.StoreFile, TimeProvider.System);
        var accepted = await store.AcceptMessageAsync("s", "hello", null, "echo", null);
        Assert.True(await store.EndQueuedRunAsync(accepted.RunId, new RunEnding(RunStatus.Completed, "final", "hello", null)));
        var events = new RecordingSink();
        var options = new WebhookOptions();
        using var sender = new WebhookSender(options, new WebhookDestinationPolicy(options));
        using var stopping = new CancellationTokenSource();
        var outbox = new ReplyOutbox(store, events, sender, options, NullLogger.Instance, TimeProvider.System, () => false, () => { });
        var running = Task.Run(() => outbox.RunAsync(stopping.Token));

        // Refused, so announced again after the pause (same message id, as after a crash), and still not marked. (Waiting
        // for the first event only would race the mark: dropped before the mark ran, the refusal never happened.)
        await Eventually.AssertAsync(() => Task.FromResult(events.Count(accepted.RunId) >= 2), TimeSpan.FromSeconds(30), "the reply's event, twice");
        Assert.True(store.HasDueFirstDeliveries());
        Raw("DROP TRIGGER refuse_marks;");

        // Marked once the store takes writes: nothing is left unpublished.
        await Eventually.AssertAsync(() => Task.FromResult(!store.HasDueFirstDeliveries()), TimeSpan.FromSeconds(30), "the mark to be taken");
        Assert.Equal(0, store.PendingReplyCount());
        await stopping.CancelAsync();
        await running;
    }

    private void Raw(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={home.State.StoreFile};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed class RecordingSink : IChatEventSink
    {
        private readonly List<ChatEvent> published = [];

        public void Publish(ChatEvent chatEvent)
        {
            lock (published)
            {
                published.Add(chatEvent);
            }
        }

        public int Count(string runId)
        {
            lock (published)
            {
                return published.Count(e => e.RunId == runId);
            }
        }
    }
}

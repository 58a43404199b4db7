using ClawSharp.Gateway.Storage;
using ClawSharp.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.Unit;

public sealed class GatewayStoreTests : IDisposable
{
    private readonly TempHome home = new();
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose() => home.Dispose();

    [Fact]
    public void Open_CreatesAPrivateFile_AndMigratesOnce()
    {
        using (GatewayStore.Open(home.State.StoreFile, time))
        {
        }
        using var again = GatewayStore.Open(home.State.StoreFile, time);

        Assert.Equal(Gateway.Infrastructure.AtomicFile.PrivateFileMode, File.GetUnixFileMode(home.State.StoreFile));
    }

    [Fact]
    public async Task AnInterruptedRun_IsQueuedAgainOnce_ThenFails()
    {
        var store = GatewayStore.Open(home.State.StoreFile, time);
        var accepted = await store.AcceptMessageAsync("s", "hello", "k", "echo", null);
        Assert.NotNull(await store.StartRunAsync(accepted.RunId));
        store.Dispose();

        store = GatewayStore.Open(home.State.StoreFile, time);
        var (queued, requeued, failed) = store.RecoverRuns();
        Assert.Equal([accepted.RunId], queued);
        Assert.Equal((1, 0), (requeued, failed));
        Assert.Equal(2, (await store.StartRunAsync(accepted.RunId))!.Attempts);
        store.Dispose();

        using var last = GatewayStore.Open(home.State.StoreFile, time);
        var (queuedAgain, _, failedNow) = last.RecoverRuns();
        Assert.Empty(queuedAgain);
        Assert.Equal(1, failedNow);
        Assert.Equal("error", last.ReplyOf(accepted.RunId)!.Value.State);
    }

    [Fact]
    public async Task AnAbortCutByACrashBeforeItsReply_IsAnsweredAtTheNextStart_AndNeverRun()
    {
        var store = GatewayStore.Open(home.State.StoreFile, time);
        var accepted = await store.AcceptMessageAsync("s", "hello", null, "echo", null);
        store.Dispose();
        // What a crash between the status change and the reply leaves behind.
        using (var raw = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={home.State.StoreFile}"))
        {
            raw.Open();
            using var update = raw.CreateCommand();
            update.CommandText = $"UPDATE runs SET status = 'aborted' WHERE id = '{accepted.RunId}'";
            update.ExecuteNonQuery();
        }

        using var reopened = GatewayStore.Open(home.State.StoreFile, time);
        var (queued, _, _) = reopened.RecoverRuns();

        Assert.Empty(queued);
        Assert.Equal("aborted", reopened.ReplyOf(accepted.RunId)!.Value.State);
        Assert.Null(await reopened.StartRunAsync(accepted.RunId));
    }

    [Fact]
    public async Task ARunIsAnsweredOnce_EvenIfFinishedTwice()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);
        var accepted = await store.AcceptMessageAsync("s", "hello", null, "echo", null);
        await store.StartRunAsync(accepted.RunId);

        await store.FinishRunAsync(accepted.RunId, new RunEnding(RunStatus.Completed, "final", "first", null));
        await store.FinishRunAsync(accepted.RunId, new RunEnding(RunStatus.Completed, "final", "second", null));

        Assert.Equal("first", store.ReplyOf(accepted.RunId)!.Value.Text);
        Assert.Single(store.History("s", 10), e => e.Role == "assistant");
        Assert.Null(await store.StartRunAsync(accepted.RunId));
    }

    [Fact]
    public async Task ARunAnsweredAtOnce_StartsAndEndsInOneWrite_WithItsReply()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);
        var accepted = await store.AcceptMessageAsync("s", "hello", null, "echo", null);

        var work = store.QueuedRun(accepted.RunId);
        Assert.Equal(("hello", "echo", 0), (work!.Text, work.Agent, work.Attempts));
        Assert.True(await store.EndQueuedRunAsync(accepted.RunId, new RunEnding(RunStatus.Completed, "final", "hello", null)));

        Assert.Null(store.QueuedRun(accepted.RunId));
        Assert.Equal(("final", "hello"), (store.ReplyOf(accepted.RunId)!.Value.State, store.ReplyOf(accepted.RunId)!.Value.Text));
        Assert.Empty(store.RecoverRuns().Queued);
        // Counted as an attempt, like a run that started: recovery's "interrupted twice" rule sees it.
        Assert.Equal(1L, ScalarOf($"SELECT attempts FROM runs WHERE id = '{accepted.RunId}'"));
    }

    [Fact]
    public async Task AnIdleSessionsRun_AnsweredAtOnce_IsWrittenEndedInTheAcceptingWrite()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);
        var accepted = await store.AcceptMessageAsync("s", "hello", null, "echo", null, answerAtOnce: Echo);

        Assert.True(accepted.AnsweredAtOnce);
        Assert.Equal(RunStatus.Completed, accepted.Status);
        Assert.Equal(("final", "hello"), (store.ReplyOf(accepted.RunId)!.Value.State, store.ReplyOf(accepted.RunId)!.Value.Text));
        Assert.Equal(accepted.RunId, Assert.Single(store.UnpublishedReplies(0, 10)).RunId);
        Assert.Null(store.QueuedRun(accepted.RunId));
        Assert.Empty(store.RecoverRuns().Queued);
        // Counted as an attempt, and never in the index of runs in flight.
        Assert.Equal(1L, ScalarOf($"SELECT attempts FROM runs WHERE id = '{accepted.RunId}' AND status = 'completed'"));
        Assert.Equal(0L, ScalarOf("SELECT COUNT(*) FROM runs INDEXED BY runs_in_flight WHERE status IN ('queued', 'running')"));
    }

    [Fact]
    public async Task ASessionWithARunInFlight_QueuesTheNextRun_WithoutAskingForAnAnswer()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);
        var first = await store.AcceptMessageAsync("s", "first", null, "echo", null);
        var asked = 0;

        var second = await store.AcceptMessageAsync("s", "second", null, "echo", null, answerAtOnce: work =>
        {
            asked++;
            return Echo(work);
        });

        Assert.False(second.AnsweredAtOnce);
        Assert.Equal(0, asked);
        Assert.Equal([first.RunId, second.RunId], store.RecoverRuns().Queued);
        // Another session is idle all the same.
        Assert.True((await store.AcceptMessageAsync("t", "third", null, "echo", null, answerAtOnce: Echo)).AnsweredAtOnce);
    }

    [Fact]
    public async Task OneSessionsMessagesInOneBatch_AnsweredAtOnce_KeepTheirOrder()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time, commitPause: TimeSpan.FromMilliseconds(50));
        var blocker = store.AcceptMessageAsync("other", "hold the writer", null, "echo", null);
        var sends = Enumerable.Range(0, 5).Select(i => store.AcceptMessageAsync("s", $"m{i}", null, "echo", null, answerAtOnce: Echo)).ToList();
        await blocker;
        var accepted = await Task.WhenAll(sends);

        Assert.All(accepted, a => Assert.True(a.AnsweredAtOnce));
        Assert.Equal(accepted.Select(a => a.RunId), store.UnpublishedReplies(0, 10).Where(r => r.SessionKey == "s").Select(r => r.RunId));
    }

    [Fact]
    public async Task AnAnswerThatThrows_LeavesTheMessageAcceptedAndItsRunQueued()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);

        var accepted = await store.AcceptMessageAsync("s", "hello", null, "echo", null, answerAtOnce: _ => throw new InvalidOperationException("agent bug"));

        Assert.False(accepted.AnsweredAtOnce);
        Assert.Equal("hello", store.QueuedRun(accepted.RunId)!.Text);
    }

    private static RunEnding Echo(RunWork work) => new(RunStatus.Completed, "final", work.Text, null);

    [Fact]
    public async Task ARunAnsweredAtOnce_AfterAnAbortAnsweredIt_WritesNothing()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);
        var accepted = await store.AcceptMessageAsync("s", "hello", null, "echo", null);
        Assert.True(store.AbortQueuedRun(accepted.RunId));

        Assert.False(await store.EndQueuedRunAsync(accepted.RunId, new RunEnding(RunStatus.Completed, "final", "hello", null)));

        Assert.Equal("aborted", store.ReplyOf(accepted.RunId)!.Value.State);
        Assert.Single(store.History("s", 10), e => e.Role == "assistant");
    }

    [Fact]
    public async Task UnpublishedReplies_AfterAReply_AreOnlyTheNewerOnes()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);
        var runs = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var accepted = await store.AcceptMessageAsync("s", $"m{i}", null, "echo", null);
            await store.EndQueuedRunAsync(accepted.RunId, new RunEnding(RunStatus.Completed, "final", $"m{i}", null));
            runs.Add(accepted.RunId);
        }

        var all = store.UnpublishedReplies(0, 10);
        Assert.Equal(runs, all.Select(r => r.RunId));
        Assert.Equal(runs[1..], store.UnpublishedReplies(all[0].Id, 10).Select(r => r.RunId));
        Assert.Empty(store.UnpublishedReplies(all[^1].Id, 10));
    }

    [Fact]
    public async Task HotReads_DoNotWaitForTheCommitInProgress()
    {
        // A slow disk: the committer waits before it takes a batch, and again holding the writer's lock before it commits.
        var pause = TimeSpan.FromSeconds(1.5);
        using var store = GatewayStore.Open(home.State.StoreFile, time, commitPause: pause);
        var first = await store.AcceptMessageAsync("s", "first", null, "echo", null);

        var second = store.AcceptMessageAsync("s", "second", null, "echo", null);
        var slowest = TimeSpan.Zero;
        var reads = 0;
        while (!second.IsCompleted)
        {
            // Reads back to back for the whole commit: one of them lands while the lock is held, and would wait out the pause.
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            Assert.Equal("first", store.QueuedRun(first.RunId)!.Text);
            Assert.Equal(0, store.PendingReplyCount());
            var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            slowest = took > slowest ? took : slowest;
            reads++;
        }
        await second;

        Assert.True(slowest < pause / 2, $"the slowest of {reads} reads took {slowest.TotalMilliseconds:F0} ms: it waited for the commit");
    }

    [Fact]
    public void Open_KeepsSavepointJournalsInMemory()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);

        // 2 = MEMORY: a batch's savepoints wrote every page they touched to a temporary file (~40 pwrites a message).
        Assert.Equal(2L, store.Pragma("temp_store"));
    }

    private long ScalarOf(string sql)
    {
        using var raw = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={home.State.StoreFile};Mode=ReadOnly;Pooling=False");
        raw.Open();
        using var command = raw.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task Replies_StayPendingUntilDelivered_AndRetriesWaitForTheirTime()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);
        var accepted = await store.AcceptMessageAsync("s", "hello", null, "echo", "http://127.0.0.1:1/hook");
        await store.StartRunAsync(accepted.RunId);
        await store.FinishRunAsync(accepted.RunId, new RunEnding(RunStatus.Completed, "final", "hi", null));

        var published = Assert.Single(store.UnpublishedReplies(0, 10));
        await store.MarkPublishedAsync([(published.Id, false)]);
        Assert.Empty(store.UnpublishedReplies(0, 10));
        Assert.Equal(["http://127.0.0.1:1/hook"], store.DueWebhookDestinations([], firstAttemptsOnly: false, 10));
        var reply = store.NextDueReplyTo("http://127.0.0.1:1/hook", firstAttemptsOnly: false)!;
        Assert.Equal("http://127.0.0.1:1/hook", reply.WebhookUrl);
        Assert.True(store.HasDueFirstDeliveries());
        store.ScheduleRetry(reply.Id, TimeSpan.FromSeconds(2), "HTTP 500");
        Assert.Empty(store.DueWebhookDestinations([], firstAttemptsOnly: false, 10));
        Assert.False(store.HasDueFirstDeliveries());
        Assert.Equal(1, store.PendingReplyCount());
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, store.NextDueReplyTo("http://127.0.0.1:1/hook", firstAttemptsOnly: false)!.Attempts);
        Assert.Null(store.NextDueReplyTo("http://127.0.0.1:1/hook", firstAttemptsOnly: true));
        await store.MarkDeliveredAsync(reply.Id);
        Assert.Equal(0, store.PendingReplyCount());
    }

    [Fact]
    public async Task AStoreFromBeforePerMessageWebhooks_KeepsItsPendingRepliesAndKeys()
    {
        // Schema 2 as the previous release wrote it: the session holds the URL, keys are global.
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={home.State.StoreFile};Pooling=False"))
        {
            old.Open();
            using var command = old.CreateCommand();
            command.CommandText = StoreSchema.Migrations[0] + StoreSchema.Migrations[1] +
                """
                INSERT INTO sessions VALUES ('s', 'echo', 'http://127.0.0.1:1/old', 1);
                INSERT INTO messages VALUES ('msg_1', 's', 'k1', 'hello', 1);
                INSERT INTO runs (id, seq, message_id, session_key, status, created_at) VALUES ('run_1', 1, 'msg_1', 's', 'completed', 1);
                INSERT INTO replies (run_id, message_id, session_key, state, text, attempts, next_attempt_at, created_at)
                    VALUES ('run_1', 'msg_1', 's', 'final', 'hi', 3, 1, 1);
                PRAGMA user_version = 2;
                """;
            command.ExecuteNonQuery();
        }

        using var store = GatewayStore.Open(home.State.StoreFile, time);

        var reply = store.NextDueReplyTo("http://127.0.0.1:1/old", firstAttemptsOnly: false);
        Assert.Equal("run_1", reply?.RunId);
        Assert.Equal(3, reply!.Attempts);
        Assert.True((await store.AcceptMessageAsync("s", "again", "k1", "echo", null)).Duplicate);
        Assert.False((await store.AcceptMessageAsync("other", "same key elsewhere", "k1", "echo", null)).Duplicate);
    }

    [Fact]
    public async Task AFailedReply_IsNoLongerPending_AndCounts()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);
        var accepted = await store.AcceptMessageAsync("s", "hello", null, "echo", "http://127.0.0.1:1/hook");
        await store.StartRunAsync(accepted.RunId);
        await store.FinishRunAsync(accepted.RunId, new RunEnding(RunStatus.Completed, "final", "hi", null));
        var reply = Assert.Single(store.UnpublishedReplies(0, 10));
        await store.MarkPublishedAsync([(reply.Id, false)]);

        store.MarkFailed(reply.Id, "HTTP 500");

        Assert.Equal(0, store.PendingReplyCount());
        Assert.Equal(1, store.FailedReplyCount());
        var entry = Assert.Single(store.History("s", 10), e => e.Role == "assistant");
        Assert.Equal("failed", entry.Delivery);
        Assert.Equal("HTTP 500", entry.DeliveryError);
    }

    [Fact]
    public void EndedTasks_ArePrunedAfterTheRetention_RunningOnesNever()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);
        var done = store.CreateTask("exec", "true", "done", null, null, false, 1000);
        var running = store.CreateTask("exec", "sleep 1", "running", null, null, false, 1000);
        store.TransitionTask(done.TaskId, TaskState.Queued, TaskState.Running);
        store.TransitionTask(done.TaskId, TaskState.Running, TaskState.Succeeded, 0, "", null);
        store.TransitionTask(running.TaskId, TaskState.Queued, TaskState.Running);
        time.Advance(TimeSpan.FromDays(8));

        Assert.Equal(1, store.PruneEndedTasks(time.GetUtcNow() - TimeSpan.FromDays(7), CancellationToken.None));
        Assert.Null(store.GetTask(done.TaskId));
        Assert.NotNull(store.GetTask(running.TaskId));
    }

    [Fact]
    public void TaskList_PagesWithACursor()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);
        var ids = Enumerable.Range(0, 5).Select(i =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return store.CreateTask("exec", "true", $"t{i}", null, null, false, 1000).TaskId;
        }).ToList();

        var first = store.ListTasks(null, null, 2, null);
        var second = store.ListTasks(null, null, 2, first[^1].TaskId);

        Assert.Equal([ids[4], ids[3]], first.Select(t => t.TaskId));
        Assert.Equal([ids[2], ids[1]], second.Select(t => t.TaskId));
    }
}

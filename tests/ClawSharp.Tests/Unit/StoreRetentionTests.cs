using ClawSharp.Gateway.Storage;
using ClawSharp.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.Unit;

public sealed class StoreRetentionTests : IDisposable
{
    private readonly TempHome home = new();
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-10-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task FinishedWork_OlderThanTheRetention_IsDeleted_WhatIsInFlightNever()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);
        var delivered = await Finished(store, "s", "delivered", webhook: null);
        var (failed, failedReply) = await FinishedWithReply(store, "s", "failed", webhook: "http://127.0.0.1:9/hook");
        store.MarkFailed(failedReply, "HTTP 500");
        var pending = await Finished(store, "s", "pending", webhook: "http://127.0.0.1:9/hook");
        var queued = await store.AcceptMessageAsync("s", "queued", null, "echo", null);
        var running = await store.AcceptMessageAsync("s", "running", null, "echo", null);
        await store.StartRunAsync(running.RunId);
        time.Advance(TimeSpan.FromDays(31));
        var recent = await Finished(store, "s", "recent", webhook: null);

        var deleted = store.PruneFinishedWork(time.GetUtcNow() - TimeSpan.FromDays(30), CancellationToken.None);

        Assert.Equal(2, deleted);
        Assert.Null(store.ReplyOf(delivered.RunId));
        Assert.Null(store.ReplyOf(failed.RunId));
        Assert.Null(store.SessionOfRun(delivered.RunId));
        Assert.NotNull(store.ReplyOf(pending.RunId));
        Assert.NotNull(store.ReplyOf(recent.RunId));
        Assert.Equal([queued.RunId, running.RunId], store.ActiveRunIds("s"));
        Assert.Equal(["pending", "queued", "running", "recent"], store.History("s", 100).Where(e => e.Role == "user").Select(e => e.Content));
    }

    [Fact]
    public async Task ALargePrune_GoesInBatches_AndDeletesEverythingOld()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time, Gateway.Configuration.StoreDurability.Fast);
        for (var i = 0; i < 250; i++)
        {
            await Finished(store, $"s{i % 7}", $"m{i}", webhook: null);
        }
        time.Advance(TimeSpan.FromDays(2));

        Assert.Equal(250, store.PruneFinishedWork(time.GetUtcNow() - TimeSpan.FromDays(1), CancellationToken.None, batch: 100));

        Assert.Equal(0L, Count("messages"));
        Assert.Equal(0L, Count("runs"));
        Assert.Equal(0L, Count("replies"));
    }

    [Fact]
    public async Task APruneWithNothingToDelete_WritesNothing()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time);
        await Finished(store, "s", "recent", webhook: null);
        var task = store.CreateTask("exec", "true", null, null, null, false, 1000);
        store.TransitionTask(task.TaskId, Gateway.Storage.TaskState.Queued, Gateway.Storage.TaskState.Running);
        store.TransitionTask(task.TaskId, Gateway.Storage.TaskState.Running, Gateway.Storage.TaskState.Succeeded, 0, "", null);
        using var observer = new SqliteConnection($"Data Source={home.State.StoreFile}");
        observer.Open();
        var versionBefore = DataVersion(observer);
        var walBefore = new FileInfo(home.State.StoreFile + "-wal").Length;

        Assert.Equal(0, store.PruneFinishedWork(time.GetUtcNow() - TimeSpan.FromDays(30), CancellationToken.None));
        Assert.Equal(0, store.PruneEndedTasks(time.GetUtcNow() - TimeSpan.FromDays(7), CancellationToken.None));

        Assert.Equal(versionBefore, DataVersion(observer));
        Assert.Equal(walBefore, new FileInfo(home.State.StoreFile + "-wal").Length);
    }

    [Fact]
    public async Task EndedTasks_ArePrunedInBatches_RunningOnesNever()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, time, Gateway.Configuration.StoreDurability.Fast);
        var ended = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            var task = store.CreateTask("exec", "true", null, null, null, false, 1000);
            store.TransitionTask(task.TaskId, Gateway.Storage.TaskState.Queued, Gateway.Storage.TaskState.Running);
            store.TransitionTask(task.TaskId, Gateway.Storage.TaskState.Running, Gateway.Storage.TaskState.Failed, 1, "", "x");
            ended.Add(task.TaskId);
        }
        var running = store.CreateTask("exec", "sleep 1", null, null, null, false, 1000);
        store.TransitionTask(running.TaskId, Gateway.Storage.TaskState.Queued, Gateway.Storage.TaskState.Running);
        time.Advance(TimeSpan.FromDays(8));

        Assert.Equal(25, store.PruneEndedTasks(time.GetUtcNow() - TimeSpan.FromDays(7), CancellationToken.None, batch: 10));

        Assert.All(ended, id => Assert.Null(store.GetTask(id)));
        Assert.NotNull(store.GetTask(running.TaskId));
    }

    private static async Task<AcceptedMessage> Finished(GatewayStore store, string session, string text, string? webhook) => (await FinishedWithReply(store, session, text, webhook)).Accepted;

    private static async Task<(AcceptedMessage Accepted, long ReplyId)> FinishedWithReply(GatewayStore store, string session, string text, string? webhook)
    {
        var accepted = await store.AcceptMessageAsync(session, text, null, "echo", webhook);
        await store.StartRunAsync(accepted.RunId);
        await store.FinishRunAsync(accepted.RunId, new RunEnding(RunStatus.Completed, "final", text, null));
        var reply = store.UnpublishedReplies(0, 1000).Single(r => r.RunId == accepted.RunId);
        await store.MarkPublishedAsync([(reply.Id, webhook is null)]);
        return (accepted, reply.Id);
    }

    private long Count(string table)
    {
        using var connection = new SqliteConnection($"Data Source={home.State.StoreFile};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }

    private static long DataVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        return (long)command.ExecuteScalar()!;
    }
}

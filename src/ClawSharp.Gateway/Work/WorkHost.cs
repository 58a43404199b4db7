using System.Collections.Concurrent;
using System.Diagnostics;
using ClawSharp.Gateway.Agents;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Metrics;
using ClawSharp.Gateway.Storage;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Work;

/// <summary>
/// The work model of one server generation: store, lanes, agents, outbox, task runner.
/// Order of <see cref="Start"/>: recover the store (interrupted runs queued again once,
/// running tasks lost or requeued), queue the stored runs, start the outbox and the task
/// sweeper. Order of <see cref="StopAsync"/>: stop taking work, cancel runs (they go back to
/// the queue for the next generation), stop the outbox and tasks, close the store.
/// Invariant: a message is accepted only once committed; a run is answered at most once.
/// </summary>
internal sealed class WorkHost : IAsyncDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromHours(1);
    private readonly GatewayStore store;
    private readonly AgentCatalog agents;
    private readonly LiveConfig live;
    private readonly ResizableSlots runSlots;
    private readonly ResizableSlots taskSlots;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<string, RunningRun> runningRuns = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RunFinal>> finals = new(StringComparer.Ordinal);
    private readonly WebhookSender webhooks;
    private readonly RunLanes lanes;
    private readonly ReplyOutbox outbox;
    private readonly TaskRunner tasks;
    private Task outboxLoop = Task.CompletedTask;
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? sweeper;
    // Runs answered at once whose one write has not committed yet (the drain waits for them).
    private int endingAtOnce;
    // Made once: handed to every accepting write.
    private readonly Func<RunWork, RunEnding?> answerAtOnce;

    public WorkHost(GatewayStore store, AgentCatalog agents, LiveConfig live, IChatEventSink events, ILogger logger, TimeProvider time,
        ExecChildren children)
    {
        this.store = store;
        this.agents = agents;
        this.live = live;
        this.logger = logger;
        this.time = time;
        answerAtOnce = AnswerAtOnce;
        runSlots = new ResizableSlots(Config.Agents.MaxConcurrentRuns);
        taskSlots = new ResizableSlots(Config.Agents.MaxConcurrentRuns);
        live.Changed += Resize;
        lanes = new RunLanes(runSlots, ExecuteAsync, NotifyChanged,
            (session, run, error) => WorkLog.LaneFailed(logger, error, session, run), stopping.Token);
        Webhooks = new WebhookDestinationPolicy(Config.Webhooks);
        webhooks = new WebhookSender(Config.Webhooks, Webhooks);
        outbox = new ReplyOutbox(store, events, webhooks, Config.Webhooks, logger, time, () => Gate.IsDraining, NotifyChanged);
        tasks = new TaskRunner(store, () => Config.Tasks, taskSlots, logger, stopping.Token, NotifyChanged, () => Gate.IsDraining,
            new ChildEnvironment(Config.Tasks.Environment, [Config.Agents.OpenAiApiKeyEnv, .. ChildEnvironment.GatewaySecrets]), children);
    }

    public DrainGate Gate { get; } = new();

    // Read at use time: a config reload swaps the settings in effect.
    private GatewayConfig Config => live.Current;

    public GatewayStore Store => store;

    /// <summary>Where replies may be POSTed: checked when a message names a webhook, and again at every connection.</summary>
    public WebhookDestinationPolicy Webhooks { get; }

    public WorkCounters Counters => new(lanes.QueueSize, store.PendingReplyCount(), lanes.Active, tasks.Active, store.FailedReplyCount());

    /// <summary>
    /// True when no run executes, no task runs, and no reply is being sent or waits for its
    /// first delivery: the drain is complete. A reply waiting for a later retry (its webhook
    /// failed) does not hold the restart, and no retry starts during a drain; the reply stays
    /// in the outbox and is retried after it. A POST in flight holds it for at most
    /// <c>webhooks.timeoutMs</c>.
    /// </summary>
    public bool IsIdle => lanes.Active == 0 && Volatile.Read(ref endingAtOnce) == 0 && tasks.Active == 0 && outbox.InFlight == 0
        && !store.HasDueFirstDeliveries();

    /// <summary>Completes at the next change of the active work (a run, task or delivery ended), so a drain wakes at once.</summary>
    public Task WhenChangedAsync() => Volatile.Read(ref changed).Task;

    /// <summary>Running tasks, for the preflight's blockers.</summary>
    public IReadOnlyList<TaskRecord> RunningTasks() => store.ListTasks(TaskState.Running, null, 1000, null);

    /// <summary>
    /// Starts the drain: new work is refused and queued runs stay queued (durably) for the next
    /// generation, so only what is already running is waited for.
    /// </summary>
    public void BeginDrain() => Gate.BeginDraining();

    private void NotifyChanged() => Interlocked.Exchange(ref changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public RecoveryReport Start()
    {
        // Before any task runs again: a restartable task whose first copy survived a killed gateway must not run twice.
        ExecChildReaper.Reap(store, logger);
        var (queuedRuns, requeued, failed) = store.RecoverRuns();
        var (queuedTasks, lost, tasksRequeued) = store.RecoverTasks();
        WorkLog.Recovered(logger, requeued, failed, queuedRuns.Count, lost, tasksRequeued);
        foreach (var runId in queuedRuns)
        {
            if (store.SessionOfRun(runId) is { } sessionKey)
            {
                lanes.Enqueue(sessionKey, runId);
            }
        }
        foreach (var taskId in queuedTasks)
        {
            tasks.Start(taskId);
        }
        outboxLoop = Task.Run(() => outbox.RunAsync(stopping.Token));
        sweeper = time.CreateTimer(_ => Sweep(), null, TimeSpan.Zero, SweepInterval);
        return new RecoveryReport(requeued, failed, lost, tasksRequeued);
    }

    /// <summary>
    /// Commits a message (or finds the first with the same idempotency key) and queues its run;
    /// an idle session's run that its agent answers at once is answered in the same write.
    /// </summary>
    public async Task<AcceptedMessage> AcceptAsync(string sessionKey, string text, string? idempotencyKey, string? agent, string? webhookUrl)
    {
        var started = Stopwatch.GetTimestamp();
        // Queued in its lane as its batch commits, in commit order: the callers of one batch resume
        // in any order, and a pipelined session's runs must keep the order its messages came in.
        var accepted = await store.AcceptMessageAsync(sessionKey, text, idempotencyKey, agent ?? agents.Default, webhookUrl, accepted =>
        {
            if (!accepted.Duplicate)
            {
                GatewayMetrics.MessageAccepted();
                if (!accepted.AnsweredAtOnce)
                {
                    lanes.Enqueue(sessionKey, accepted.RunId);
                }
            }
        }, Gate.IsDraining ? null : answerAtOnce).ConfigureAwait(false);
        if (accepted.AnsweredAtOnce)
        {
            RunEnded(accepted.RunId, sessionKey, accepted.Status == RunStatus.Completed ? "completed" : "failed", started);
        }
        return accepted;
    }

    /// <summary>The at-once answer of a run's agent, as the store writes it; null when the agent has to run.</summary>
    private RunEnding? AnswerAtOnce(RunWork work) =>
        agents.Get(work.Agent).AnswerAtOnce(new AgentRequest(work.RunId, work.MessageId, work.SessionKey, work.Text)) is { } answer
            ? EndingOf(answer)
            : null;

    private static RunEnding EndingOf(AgentReply reply) => reply.Ok
        ? new RunEnding(RunStatus.Completed, "final", reply.Text, null)
        : new RunEnding(RunStatus.Failed, "error", null, reply.Text);

    /// <summary>Waits for the run's reply (immediately when it already has one).</summary>
    public async Task<RunFinal> WaitForFinalAsync(string runId, CancellationToken cancellationToken)
    {
        var source = finals.GetOrAdd(runId, _ => new TaskCompletionSource<RunFinal>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (store.ReplyOf(runId) is { } reply)
        {
            source.TrySetResult(new RunFinal(runId, reply.MessageId, reply.SessionKey, reply.State, reply.Text));
            finals.TryRemove(runId, out _);
        }
        try
        {
            return await source.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Nobody waits any more: do not keep the waiter (and this generation) alive.
            finals.TryRemove(runId, out _);
            throw;
        }
    }

    /// <summary>Aborts the queued and running runs of a session (or one run of it); returns the run ids aborted.</summary>
    public IReadOnlyList<string> Abort(string sessionKey, string? runId)
    {
        var aborted = new List<string>();
        foreach (var id in store.ActiveRunIds(sessionKey).Where(id => runId is null || id == runId))
        {
            if (store.AbortQueuedRun(id))
            {
                GatewayMetrics.RunEnded("aborted");
                GatewayMetrics.MessageAnswered();
                Completed(id);
                aborted.Add(id);
            }
            else if (runningRuns.TryGetValue(id, out var run))
            {
                run.Abort.Cancel();
                aborted.Add(id);
            }
        }
        outbox.Notify();
        return aborted;
    }

    public TaskRunner Tasks => tasks;

    private void Resize(GatewayConfig changed)
    {
        runSlots.Resize(changed.Agents.MaxConcurrentRuns);
        taskSlots.Resize(changed.Agents.MaxConcurrentRuns);
    }

    public async Task StopAsync()
    {
        live.Changed -= Resize;
        BeginDrain();
        await stopping.CancelAsync().ConfigureAwait(false);
        // Runs cut now are answered by the next generation; their waiters here end (the reply still arrives as a chat event).
        foreach (var waiter in finals.Values)
        {
            waiter.TrySetCanceled();
        }
        finals.Clear();
        sweeper?.Dispose();
        await Task.WhenAll(lanes.WhenStoppedAsync(), outboxLoop, tasks.WhenStoppedAsync()).ConfigureAwait(false);
        // Their writes are queued ahead of any the store's close waits for; their ends are logged before it closes.
        while (true)
        {
            var changedNow = WhenChangedAsync();
            if (Volatile.Read(ref endingAtOnce) == 0)
            {
                break;
            }
            await changedNow.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The live config outlives generations: an old work host must not keep resizing (or be kept alive by) it.
        live.Changed -= Resize;
        if (!stopping.IsCancellationRequested)
        {
            await StopAsync().ConfigureAwait(false);
        }
        webhooks.Dispose();
        agents.Dispose();
        store.Dispose();
        stopping.Dispose();
    }

    private async Task ExecuteAsync(string runId, CancellationToken stop)
    {
        if (Gate.IsDraining || store.QueuedRun(runId) is not { } queued)
        {
            return;
        }
        var started = Stopwatch.GetTimestamp();
        if (AnswerAtOnce(queued) is { } ending)
        {
            // The session's next run goes on now: its writes queue behind this one, so they commit with it or after it.
            Interlocked.Increment(ref endingAtOnce);
            _ = AnsweredAtOnceAsync(runId, queued.SessionKey, ending, started);
            return;
        }
        await RunAgentAsync(runId, stop, started).ConfigureAwait(false);
    }

    /// <summary>A queued run answered at once: one write starts and ends it; once committed it is answered like any other.</summary>
    private async Task AnsweredAtOnceAsync(string runId, string sessionKey, RunEnding ending, long started)
    {
        try
        {
            // Not ended: an abort came first and answered it.
            if (await store.EndQueuedRunAsync(runId, ending).ConfigureAwait(false))
            {
                RunEnded(runId, sessionKey, ending.Status == RunStatus.Completed ? "completed" : "failed", started);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The store failed (or closed): the run stays queued for the next start.
            WorkLog.LaneFailed(logger, e, sessionKey, runId);
        }
        finally
        {
            Interlocked.Decrement(ref endingAtOnce);
            NotifyChanged();
        }
    }

    /// <summary>A run's end is committed with its reply: told to the log, the metrics, its waiter and the outbox.</summary>
    private void RunEnded(string runId, string sessionKey, string outcome, long started)
    {
        WorkLog.RunFinished(logger, runId, sessionKey, outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        GatewayMetrics.RunEnded(outcome);
        GatewayMetrics.MessageAnswered();
        Completed(runId);
        outbox.Notify();
    }

    private async Task RunAgentAsync(string runId, CancellationToken stop, long started)
    {
        // Registered before the run starts, so an abort that arrives in between is not lost.
        using var abort = new CancellationTokenSource();
        runningRuns[runId] = new RunningRun(abort);
        if (Gate.IsDraining || await store.StartRunAsync(runId).ConfigureAwait(false) is not { } work)
        {
            runningRuns.TryRemove(runId, out _);
            return;
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, abort.Token);
        string outcome;
        try
        {
            var reply = await agents.Get(work.Agent)
                .RunAsync(new Agents.AgentRequest(work.RunId, work.MessageId, work.SessionKey, work.Text), linked.Token).ConfigureAwait(false);
            outcome = reply.Ok ? "completed" : "failed";
            await store.FinishRunAsync(runId, EndingOf(reply)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            outcome = "aborted";
            await store.FinishRunAsync(runId, new RunEnding(RunStatus.Aborted, "aborted", null, "aborted")).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The generation is closing: the run goes back to the queue for the next one.
            outcome = "interrupted (queued again)";
            await store.RequeueRunAsync(runId).ConfigureAwait(false);
            GatewayMetrics.RunEnded("interrupted");
            runningRuns.TryRemove(runId, out _);
            WorkLog.RunFinished(logger, runId, work.SessionKey, outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return;
        }
        catch (Exception e)
        {
            WorkLog.RunThrew(logger, e, runId);
            outcome = "failed";
            await store.FinishRunAsync(runId, new RunEnding(RunStatus.Failed, "error", null, $"agent error: {e.Message}")).ConfigureAwait(false);
        }
        runningRuns.TryRemove(runId, out _);
        RunEnded(runId, work.SessionKey, outcome, started);
    }

    private void Completed(string runId)
    {
        if (finals.TryRemove(runId, out var source) && store.ReplyOf(runId) is { } reply)
        {
            source.TrySetResult(new RunFinal(runId, reply.MessageId, reply.SessionKey, reply.State, reply.Text));
        }
    }

    private void Sweep()
    {
        // A timer callback that throws ends the process: a busy or full store must only skip a sweep.
        // Each prune reads before it writes: an idle gateway's sweep deletes nothing and writes nothing.
        try
        {
            var now = time.GetUtcNow();
            var pruned = store.PruneEndedTasks(now - Config.Tasks.Retention, stopping.Token);
            if (pruned > 0)
            {
                WorkLog.TasksPruned(logger, pruned, Config.Tasks.Retention.TotalHours);
            }
            if (Config.Store.Retention != Timeout.InfiniteTimeSpan)
            {
                var deleted = store.PruneFinishedWork(now - Config.Store.Retention, stopping.Token);
                if (deleted > 0)
                {
                    StoreLog.FinishedWorkPruned(logger, deleted, Config.Store.Retention.TotalDays);
                }
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            WorkLog.SweepFailed(logger, e);
        }
    }

    private sealed record RunningRun(CancellationTokenSource Abort);
}

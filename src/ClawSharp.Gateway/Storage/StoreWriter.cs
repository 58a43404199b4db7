using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace ClawSharp.Gateway.Storage;

/// <summary>
/// Group commit: the store's hot writes (accepted messages, run starts and ends, deliveries)
/// queue here, and the writer's own thread takes all that waits, runs it in one transaction,
/// commits, answers every waiter, and goes on while more has queued meanwhile. A write that finds
/// the writer idle is committed by its caller, on the caller's thread (see remarks). A caller's task
/// completes only after the transaction holding its write committed, so "accepted means durably
/// in state.db" holds. Under light load a batch is one write: no timer waits for company (only the
/// writes nobody waits for linger, <see cref="MayBeLostLinger"/>). A write
/// that throws is undone alone and its caller gets the exception (the batch then runs again with
/// each write under a savepoint); a commit that fails rolls the whole batch back and every caller
/// in it gets the error (nothing is half-written).
/// </summary>
/// <remarks>
/// Batches run on the writer's own thread, in both durability modes: when every caller committed
/// inline, each held its pool thread (a connection's, a session lane's) through the commit while
/// the others queued behind it. Measured (echo, 8 pipelined clients, <c>fast</c>): ~13,000 msg/s
/// inline, ~20,000 on its own thread; p99 at 1,000 msg/s 7.9 ms inline, 5.6 ms own thread.
/// But a write that finds nobody committing and nothing urgent queued (the writer idle, or only
/// lingering may-be-lost writes, which it takes along) is committed by its caller, as LevelDB's
/// first writer in line commits for the group: one client sending one message at a time (HTTP)
/// otherwise paid two thread hand-offs per message, to the writer's thread and back
/// (bench/RESULTS.md). Writes that arrive meanwhile queue for the writer's thread as before.
/// </remarks>
internal sealed class StoreWriter : IDisposable
{
    /// <summary>The most writes in one transaction: bounds how long the store's lock is held.</summary>
    public const int DefaultMaxBatch = 512;

    private readonly SqliteConnection connection;
    private readonly Lock gate;
    // A monitor, not a Lock: the committer sleeps on it, and Dispose waits on it for the committer.
    private readonly object queueGate = new();
    private readonly Queue<StoreWrite> queue = new();
    private readonly int maxBatch;
    private readonly Action<int, bool>? committed;
    private readonly Action? afterBatch;
    private readonly bool durable;
    private readonly Func<bool>? afterBatchDue;
    // Someone commits: the committer's thread, or a caller committing its own write (committingInline).
    private bool committing;
    private bool committingInline;
    // The committer's thread took a batch from the queue and commits it (until then a caller may commit instead).
    private bool batchTaken;
    // A caller committed inline and the upkeep after a batch is due: the committer's thread runs it (upkeepRunning).
    private bool upkeepOwed;
    private bool upkeepRunning;
    private bool closed;
    // Writes in the queue that are not may-be-lost, and whether the committer waits for one (queueGate).
    private int urgentQueued;
    private bool lingering;
    // What the connection's synchronous pragma is now: switched only when a batch needs the other.
    private bool syncing;

    /// <param name="connection">The store's connection for writes.</param>
    /// <param name="gate">That connection's lock: held while a batch runs and commits, and for the upkeep after it.</param>
    /// <param name="maxBatch">Writes per transaction at most.</param>
    /// <param name="committed">Told the size of every committed batch, and whether it was synced (metrics).</param>
    /// <param name="durable">
    /// The store's mode is <c>durable</c> and its connection's <c>synchronous</c> is FULL: a batch
    /// whose every write may be lost in a power cut (the marks that a reply went out) commits with
    /// NORMAL instead, no fsync; the next synced commit covers its frames of the WAL too.
    /// </param>
    /// <param name="afterBatch">
    /// Run after each committed batch's callers were answered, before the next batch, with the
    /// connection's lock held: upkeep that must not hold a batch (the WAL's checkpoint).
    /// </param>
    /// <param name="afterBatchDue">
    /// Whether <paramref name="afterBatch"/> has anything to do: after a write its caller committed
    /// inline, the committer's thread is woken for it only then.
    /// </param>
    public StoreWriter(SqliteConnection connection, Lock gate, int maxBatch, Action<int, bool>? committed, bool durable = false,
        Action? afterBatch = null, Func<bool>? afterBatchDue = null)
    {
        this.afterBatch = afterBatch;
        this.afterBatchDue = afterBatchDue;
        this.connection = connection;
        this.gate = gate;
        this.maxBatch = Math.Max(1, maxBatch);
        this.committed = committed;
        this.durable = durable;
        syncing = durable;
        new Thread(CommitWhenSignalled) { IsBackground = true, Name = "store commits" }.Start();
    }

    /// <summary>
    /// Test fault <c>slow-store-commit</c>: a wait before taking a batch (so it grows) and again
    /// before its commit (so a kill lands inside it). Zero in production.
    /// </summary>
    public TimeSpan CommitPause { get; init; }

    /// <summary>
    /// How long a batch of only may-be-lost writes (the marks that replies went out) waits for a
    /// write that matters to commit with: from one client sending one message at a time, the mark
    /// of each reply otherwise took a commit of its own between two accepted messages, and the
    /// next message waited for it. Nobody waits for these writes, so no caller's latency grows.
    /// </summary>
    public TimeSpan MayBeLostLinger { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Queues a write, or commits it at once on this thread when the writer is idle (with the
    /// may-be-lost writes that wait, their delegates and callbacks: the caller is held through the
    /// commit, its fsync in <c>durable</c> mode). Completes with its result once its batch committed
    /// (faulted with <see cref="ObjectDisposedException"/> once the store is closed).
    /// </summary>
    /// <param name="write">The statements, run inside the batch's transaction.</param>
    /// <param name="committed">
    /// Told the result once the batch committed, on the committing thread (the writer's, or the
    /// caller's that committed inline), in the order the writes were queued and before any caller
    /// resumes: for what must follow commit order (a session's runs). Callers' continuations run
    /// later and in any order. Keep it short; it must not throw.
    /// </param>
    /// <param name="mayBeLostInAPowerCut">
    /// Losing this write to a power cut is harmless (it is done again after the restart, as after a
    /// crash): in <c>durable</c> mode a batch of only such writes is not synced.
    /// </param>
    public Task<T> WriteAsync<T>(Func<SqliteTransaction, T> write, Action<T>? committed = null, bool mayBeLostInAPowerCut = false)
    {
        var item = new StoreWrite<T>(write, committed) { MayBeLost = mayBeLostInAPowerCut };
        List<StoreWrite> batch;
        lock (queueGate)
        {
            if (closed)
            {
                return Task.FromException<T>(new ObjectDisposedException(nameof(GatewayStore), "the store is closed"));
            }
            // Nobody commits, or only may-be-lost writes wait (the committer lingers for company, or has yet to wake):
            // this caller commits its write on its own thread, after all of those (so fewer than a batch; see remarks).
            // Not while the WAL's checkpoint is owed or running: it comes before the next batch, as after the committer's own.
            var idle = !committingInline && !batchTaken && urgentQueued == 0 && !upkeepOwed && !upkeepRunning && queue.Count < maxBatch;
            if (!idle || mayBeLostInAPowerCut || CommitPause > TimeSpan.Zero)
            {
                Enqueue(item);
                return item.Task;
            }
            committing = true;
            committingInline = true;
            batch = new List<StoreWrite>(queue.Count + 1);
            while (queue.TryDequeue(out var lingered))
            {
                batch.Add(lingered);
            }
            batch.Add(item);
        }
        try
        {
            CommitBatch(batch, inline: true);
        }
        finally
        {
            // Even past a callback that threw (they must not): otherwise the writer would wait for this caller for good.
            lock (queueGate)
            {
                committingInline = false;
                // What queued meanwhile, and the WAL's checkpoint when due (not once closed), go to the committer's thread.
                upkeepOwed |= !closed && (afterBatchDue?.Invoke() ?? false);
                committing = queue.Count > 0;
                Monitor.PulseAll(queueGate);
            }
        }
        return item.Task;
    }

    private void Enqueue(StoreWrite item)
    {
        queue.Enqueue(item);
        if (!item.MayBeLost)
        {
            urgentQueued++;
        }
        if (!committing)
        {
            // Otherwise the committer in progress takes it in its next batch.
            committing = true;
            Monitor.PulseAll(queueGate);
        }
        else if (lingering && !item.MayBeLost)
        {
            Monitor.PulseAll(queueGate);
        }
    }

    /// <summary>Takes no more writes; what is queued is committed by the committer in progress, and this waits for it.</summary>
    public void Dispose()
    {
        lock (queueGate)
        {
            // Also ends a linger: what is queued commits now. An owed checkpoint is dropped (the next open truncates the WAL).
            closed = true;
            upkeepOwed = false;
            Monitor.PulseAll(queueGate);
            while (committing || upkeepRunning)
            {
                Monitor.Wait(queueGate);
            }
        }
    }

    private void CommitWhenSignalled()
    {
        var batch = new List<StoreWrite>();
        while (true)
        {
            bool upkeep;
            lock (queueGate)
            {
                while (!upkeepOwed && (committingInline || (!committing && !closed)))
                {
                    Monitor.Wait(queueGate);
                }
                upkeep = upkeepOwed;
                upkeepOwed = false;
                upkeepRunning = upkeep;
                if (!upkeep && !committing)
                {
                    return;
                }
            }
            if (upkeep)
            {
                // Even while a caller commits inline (it waits for the store's lock): the WAL's bound.
                RunAfterBatch();
                lock (queueGate)
                {
                    upkeepRunning = false;
                    Monitor.PulseAll(queueGate);
                }
                continue;
            }
            Pause();
            lock (queueGate)
            {
                var lingerEnds = Stopwatch.GetTimestamp() + (long)(MayBeLostLinger.TotalSeconds * Stopwatch.Frequency);
                TimeSpan left;
                while (!committingInline && !upkeepOwed && urgentQueued == 0 && queue.Count > 0 && !closed
                    && (left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), lingerEnds)) > TimeSpan.Zero)
                {
                    lingering = true;
                    // Whole milliseconds, rounded up: a wait of less than one would end at once and spin.
                    Monitor.Wait(queueGate, (int)Math.Ceiling(left.TotalMilliseconds));
                    lingering = false;
                }
                if (committingInline || upkeepOwed)
                {
                    // A caller took what lingered into its own commit (it hands back what queues meanwhile), or the
                    // WAL's checkpoint it owes comes first.
                    continue;
                }
                while (batch.Count < maxBatch && queue.TryDequeue(out var write))
                {
                    batch.Add(write);
                    if (!write.MayBeLost)
                    {
                        urgentQueued--;
                    }
                }
                if (batch.Count == 0)
                {
                    committing = false;
                    Monitor.PulseAll(queueGate);
                    continue;
                }
                batchTaken = true;
            }
            CommitBatch(batch);
            batch.Clear();
            lock (queueGate)
            {
                batchTaken = false;
            }
        }
    }

    /// <param name="inline">Committed on the caller's thread: the upkeep after it is left to the committer's thread.</param>
    private void CommitBatch(List<StoreWrite> batch, bool inline = false)
    {
        // Optimistic first: no savepoints (each one is two statements and a sub-journal). Only when
        // a write throws is the batch rolled back and run again with each write under its own.
        var failure = TryCommit(batch, isolateEach: false);
        if (failure is WriteThrew)
        {
            foreach (var write in batch)
            {
                write.Reset();
            }
            failure = TryCommit(batch, isolateEach: true);
        }
        if (failure is null)
        {
            committed?.Invoke(batch.Count, syncing);
        }
        // Answered outside the lock (continuations run elsewhere: the tasks complete asynchronously).
        foreach (var write in batch)
        {
            if (failure is null)
            {
                write.Complete();
            }
            else
            {
                write.Fail(failure);
            }
        }
        if (!inline)
        {
            RunAfterBatch();
        }
    }

    private void RunAfterBatch()
    {
        if (afterBatch is not null)
        {
            lock (gate)
            {
                afterBatch();
            }
        }
    }

    /// <summary>Runs the batch in one transaction and commits it; the error when it did not commit (nothing of it stays).</summary>
    private Exception? TryCommit(List<StoreWrite> batch, bool isolateEach)
    {
        lock (gate)
        {
            SqliteTransaction? transaction = null;
            try
            {
                SyncWhenNeeded(batch);
                transaction = connection.BeginTransaction();
                foreach (var write in batch)
                {
                    if (isolateEach)
                    {
                        ExecuteIsolated(write, transaction);
                    }
                    else
                    {
                        ExecuteOrThrow(write, transaction);
                    }
                }
                Pause();
                transaction.Commit();
                return null;
            }
            catch (Exception e)
            {
                // Whatever it was (a full disk, a closed store, a write that threw), the batch did not commit.
                RollBack(transaction);
                return e;
            }
            finally
            {
                transaction?.Dispose();
            }
        }
    }

    private void SyncWhenNeeded(List<StoreWrite> batch)
    {
        var sync = durable && batch.Exists(write => !write.MayBeLost);
        if (sync != syncing)
        {
            using var pragma = connection.CreateCommand();
            pragma.CommandText = sync ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;";
            pragma.ExecuteNonQuery();
            syncing = sync;
        }
    }

    private static void ExecuteOrThrow(StoreWrite write, SqliteTransaction transaction)
    {
        try
        {
            write.Execute(transaction);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new WriteThrew(e);
        }
    }

    /// <summary>One write under a savepoint: if it throws, only its own changes are undone and only its caller hears of it.</summary>
    private static void ExecuteIsolated(StoreWrite write, SqliteTransaction transaction)
    {
        transaction.Save("write");
        try
        {
            write.Execute(transaction);
            transaction.Release("write");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            transaction.Rollback("write");
            transaction.Release("write");
            write.Failed(e);
        }
    }

    /// <summary>A write threw in a batch run without savepoints: the batch runs again, each write isolated.</summary>
    private sealed class WriteThrew(Exception inner) : Exception("a write of the batch threw", inner);

    private void Pause()
    {
        if (CommitPause > TimeSpan.Zero)
        {
            Thread.Sleep(CommitPause);
        }
    }

    private static void RollBack(SqliteTransaction? transaction)
    {
        try
        {
            transaction?.Rollback();
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            // A failed commit may already have ended the transaction: nothing of the batch stays either way.
        }
    }

    private abstract class StoreWrite
    {
        public bool MayBeLost { get; init; }

        public abstract void Execute(SqliteTransaction transaction);

        /// <summary>This write threw: its caller gets the exception, whatever happens to the batch.</summary>
        public abstract void Failed(Exception error);

        /// <summary>Its batch was rolled back to run again: forget the result of the first try.</summary>
        public abstract void Reset();

        /// <summary>The batch committed: the caller gets the result (or the exception its write threw).</summary>
        public abstract void Complete();

        /// <summary>The batch did not commit: nothing of it was written.</summary>
        public abstract void Fail(Exception error);
    }

    private sealed class StoreWrite<T>(Func<SqliteTransaction, T> write, Action<T>? committed) : StoreWrite
    {
        private readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? result;
        private Exception? error;

        public Task<T> Task => completion.Task;

        public override void Execute(SqliteTransaction transaction) => result = write(transaction);

        public override void Failed(Exception error) => this.error = error;

        public override void Reset()
        {
            result = default;
            error = null;
        }

        public override void Complete()
        {
            if (error is not null)
            {
                completion.TrySetException(error);
            }
            else
            {
                committed?.Invoke(result!);
                completion.TrySetResult(result!);
            }
        }

        public override void Fail(Exception error) => completion.TrySetException(this.error ?? error);
    }
}

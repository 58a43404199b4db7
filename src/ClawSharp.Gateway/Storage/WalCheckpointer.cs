using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace ClawSharp.Gateway.Storage;

/// <summary>
/// Keeps the WAL bounded without holding up the writer. SQLite's auto-checkpoint runs inside the
/// commit that takes the WAL past its threshold, so that batch's callers waited for the copy into
/// <c>state.db</c> and its two fsyncs: most of the 99th-percentile latency at 1,000 msg/s in
/// <c>fast</c> mode (bench/RESULTS.md). Instead the writer's connection reports the WAL's size
/// after every commit (<c>sqlite3_wal_hook</c>, which replaces the auto-checkpoint): every
/// <see cref="CheckpointBytes"/> of new frames a thread of its own checkpoints from a connection of
/// its own, PASSIVE, so the writer goes on committing meanwhile, and chases the frames added
/// meanwhile for a few passes: the WAL starts over only at a write that finds every frame copied.
/// </summary>
/// <remarks>
/// Writes that never pause long enough for that leave the WAL growing: past
/// <see cref="WriterCheckpointBytes"/> the writer checkpoints itself, after the batch's callers
/// were answered (<see cref="CheckpointIfDue"/>). The background passes did most of the copying;
/// what is left is short, and with no frames added meanwhile it completes, so the next write
/// starts the WAL over.
/// </remarks>
internal sealed unsafe partial class WalCheckpointer : IDisposable
{
    /// <summary>
    /// New pages in the WAL that start a checkpoint in the background, in bytes: SQLite's own
    /// threshold of 1,000 pages at its default page size of 4 KiB (the store's pages are smaller).
    /// </summary>
    public const int CheckpointBytes = 4 * 1024 * 1024;

    /// <summary>Pages in the WAL past which the writer checkpoints itself, in bytes: the bound when writes never pause.</summary>
    public const int WriterCheckpointBytes = 4 * CheckpointBytes;

    private const int SqliteOk = 0;
    private const int SqliteCheckpointPassive = 0;

    /// <summary>Checkpoint passes per request at most, chasing the frames the writer adds meanwhile.</summary>
    private const int MaxPasses = 4;

    private readonly SqliteConnection writerConnection;
    private readonly string path;
    private readonly GCHandle self;
    // A monitor, not a Lock: the checkpointing thread sleeps on it.
    private readonly object signal = new();
    // Held for each checkpoint pass, the background's and the writer's: one at a time.
    private readonly Lock passes = new();
    private bool requested;
    private bool closed;
    private Thread? thread;
    private SqliteConnection? connection;
    // Where the WAL stood at the writer's last commit (written by the writer, read by the background passes).
    private int lastWalPages;
    private readonly int checkpointPages;
    private readonly int writerCheckpointPages;
    // The committing thread only (the writer's, or a caller's that commits inline: serialized by the store's lock).
    private int nextCheckpointAt;
    private bool writerCheckpointDue;

    /// <param name="writerConnection">The store's connection for writes, open; its commits are watched.</param>
    /// <param name="path">The store's file, for the checkpointing connection.</param>
    /// <param name="pageSize">The store's page size: the thresholds are counted in its pages.</param>
    public WalCheckpointer(SqliteConnection writerConnection, string path, int pageSize)
    {
        this.writerConnection = writerConnection;
        this.path = path;
        checkpointPages = CheckpointBytes / pageSize;
        writerCheckpointPages = WriterCheckpointBytes / pageSize;
        nextCheckpointAt = checkpointPages;
        self = GCHandle.Alloc(this);
        _ = sqlite3_wal_hook(WriterHandle, &AfterCommit, GCHandle.ToIntPtr(self));
    }

    /// <summary>Frames in the WAL as of the last commit (tests).</summary>
    public int WalPages => Volatile.Read(ref lastWalPages);

    /// <summary>Checkpoint passes done in the background (tests, benchmarks).</summary>
    public int BackgroundCheckpoints { get; private set; }

    /// <summary>Checkpoints the writer did itself (tests, benchmarks).</summary>
    public int WriterCheckpoints { get; private set; }

    private nint WriterHandle => writerConnection.Handle!.DangerousGetHandle();

    /// <summary>Whether <see cref="CheckpointIfDue"/> has a checkpoint to run (read on the writer's side, after a commit).</summary>
    public bool CheckpointDue => writerCheckpointDue;

    /// <summary>
    /// On the writer's thread with the writer's lock held, after a batch's callers were answered:
    /// the writer's own checkpoint, when the WAL is past <see cref="WriterCheckpointBytes"/>.
    /// </summary>
    public void CheckpointIfDue()
    {
        if (!writerCheckpointDue)
        {
            return;
        }
        // After the background pass in progress, if any: the writer waits for it rather than go on adding frames (in fast
        // mode the pass's fsync of the WAL writes out every frame added meanwhile, so it only grew slower). BUSY now
        // means another process checkpoints (a doctor): the next batch tries again.
        lock (passes)
        {
            if (sqlite3_wal_checkpoint_v2(WriterHandle, 0, SqliteCheckpointPassive, null, null) == SqliteOk)
            {
                writerCheckpointDue = false;
                WriterCheckpoints++;
            }
        }
    }

    /// <summary>Unhooks the writer's connection (before it closes) and ends the checkpointing thread and its connection.</summary>
    public void Dispose()
    {
        _ = sqlite3_wal_hook(WriterHandle, null, 0);
        lock (signal)
        {
            closed = true;
            Monitor.PulseAll(signal);
        }
        thread?.Join();
        connection?.Dispose();
        self.Free();
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int AfterCommit(nint context, nint database, nint schema, int walPages)
    {
        // Nothing may be thrown back into SQLite: a checkpoint missed here is asked for at a later commit.
        try
        {
            if (GCHandle.FromIntPtr(context).Target is WalCheckpointer checkpointer)
            {
                checkpointer.Committed(walPages);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
        }
        return SqliteOk;
    }

    /// <summary>On the committing thread, inside a commit: the WAL now has <paramref name="walPages"/> pages.</summary>
    private void Committed(int walPages)
    {
        if (walPages < Volatile.Read(ref lastWalPages))
        {
            // Started over: the next checkpoint is due a threshold from its start.
            nextCheckpointAt = checkpointPages;
            writerCheckpointDue = false;
        }
        Volatile.Write(ref lastWalPages, walPages);
        if (walPages >= writerCheckpointPages)
        {
            writerCheckpointDue = true;
        }
        else if (walPages >= nextCheckpointAt)
        {
            // One request per threshold of new pages, not one per commit past it: every pass syncs twice.
            nextCheckpointAt = walPages + checkpointPages;
            Request();
        }
    }

    private void Request()
    {
        lock (signal)
        {
            if (closed)
            {
                return;
            }
            requested = true;
            // The thread is made at the first checkpoint: an idle gateway has none.
            thread ??= StartThread();
            Monitor.PulseAll(signal);
        }
    }

    private Thread StartThread()
    {
        var started = new Thread(CheckpointWhenRequested) { IsBackground = true, Name = "store checkpoints" };
        started.Start();
        return started;
    }

    private void CheckpointWhenRequested()
    {
        while (true)
        {
            lock (signal)
            {
                while (!requested && !closed)
                {
                    Monitor.Wait(signal);
                }
                if (closed)
                {
                    return;
                }
                requested = false;
            }
            try
            {
                connection ??= Open();
                CatchUp(connection);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A store that cannot be read now (or closing): the next request tries again, and the writer's own checkpoint
                // still bounds the WAL. Nothing may escape this thread: it would end the process.
            }
        }
    }

    /// <summary>
    /// Checkpoints, and again while the writer added frames meanwhile (a few passes at most): the
    /// WAL starts over only at a write that finds every frame copied, so a pass that leaves the
    /// last commits behind would let it grow on to the writer's own threshold.
    /// </summary>
    private void CatchUp(SqliteConnection checkpointing)
    {
        using var checkpoint = checkpointing.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            using var passing = passes.EnterScope();
            using var reader = checkpoint.ExecuteReader();
            BackgroundCheckpoints++;
            // busy, frames in the WAL when the pass began, frames copied: done when it copied all it saw and the writer added
            // none since, or when the writer is about to take over.
            var walPages = Volatile.Read(ref lastWalPages);
            if (!reader.Read() || reader.GetInt64(0) != 0 || reader.GetInt64(2) < reader.GetInt64(1)
                || walPages <= reader.GetInt64(1) || walPages >= writerCheckpointPages)
            {
                return;
            }
        }
    }

    private SqliteConnection Open()
    {
        var opened = GatewayStore.ConnectionTo(path, SqliteOpenMode.ReadWrite);
        opened.Open();
        using var pragmas = opened.CreateCommand();
        // In WAL mode FULL and NORMAL differ only at commits: a checkpoint syncs the WAL and then state.db under both, as the writer's own did.
        pragmas.CommandText = "PRAGMA busy_timeout = 0; PRAGMA synchronous = NORMAL;";
        pragmas.ExecuteNonQuery();
        return opened;
    }

    [LibraryImport("e_sqlite3")]
    private static partial nint sqlite3_wal_hook(nint database, delegate* unmanaged[Cdecl]<nint, nint, nint, int, int> callback, nint context);

    [LibraryImport("e_sqlite3")]
    private static partial int sqlite3_wal_checkpoint_v2(nint database, nint schema, int mode, int* log, int* checkpointed);
}

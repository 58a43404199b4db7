using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace ClawSharp.Gateway.Storage;

/// <summary>
/// Keeps the WAL bounded without holding up the writer. SQLite's auto-checkpoint runs inside the
/// commit that takes the WAL past its threshold, so that batch's callers waited for the copy into
/// <c>state.db</c> (and its fsyncs): most of the 99th-percentile latency at 1,000 msg/s in
/// <c>fast</c> mode (bench/RESULTS.md). Instead the writer's connection reports the WAL's size
/// after every commit (<c>sqlite3_wal_hook</c>, which replaces the auto-checkpoint): past
/// <see cref="CheckpointPages"/> a thread of its own checkpoints from a connection of its own,
/// PASSIVE, so the writer goes on committing meanwhile. Past <see cref="WriterCheckpointPages"/>
/// (writes so continuous that the WAL never got back to its start) the writer checkpoints itself
/// after its commit, as SQLite would have: the background did most of the copying, what is left is
/// short, and with no new frames meanwhile it completes, so the next write starts the WAL over.
/// </summary>
internal sealed unsafe partial class WalCheckpointer : IDisposable
{
    /// <summary>Pages in the WAL that start a checkpoint in the background: SQLite's own default, 1,000 (~4 MiB).</summary>
    public const int CheckpointPages = 1000;

    /// <summary>Pages in the WAL past which the writer checkpoints itself: the bound when writes never pause (~16 MiB).</summary>
    public const int WriterCheckpointPages = 4 * CheckpointPages;

    private const int SqliteCheckpointPassive = 0;

    private readonly SqliteConnection writerConnection;
    private readonly string path;
    private readonly GCHandle self;
    // A monitor, not a Lock: the checkpointing thread sleeps on it.
    private readonly object signal = new();
    private bool requested;
    private bool closed;
    private Thread? thread;
    private SqliteConnection? connection;

    /// <param name="writerConnection">The store's connection for writes, open; its commits are watched.</param>
    /// <param name="path">The store's file, for the checkpointing connection.</param>
    public WalCheckpointer(SqliteConnection writerConnection, string path)
    {
        this.writerConnection = writerConnection;
        this.path = path;
        self = GCHandle.Alloc(this);
        _ = sqlite3_wal_hook(WriterHandle, &AfterCommit, GCHandle.ToIntPtr(self));
    }

    /// <summary>Checkpoints done, in the background and by the writer itself (tests).</summary>
    public int BackgroundCheckpoints { get; private set; }

    public int WriterCheckpoints { get; private set; }

    private nint WriterHandle => writerConnection.Handle!.DangerousGetHandle();

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
        // Nothing may be thrown back into SQLite: a checkpoint missed here is done at a later commit.
        try
        {
            if (GCHandle.FromIntPtr(context).Target is WalCheckpointer checkpointer)
            {
                checkpointer.Committed(database, walPages);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
        }
        return 0;
    }

    /// <summary>On the writer's thread, after a commit, with the writer's lock held: the WAL now has <paramref name="walPages"/> pages.</summary>
    private void Committed(nint database, int walPages)
    {
        if (walPages >= WriterCheckpointPages)
        {
            // BUSY when the background one is in progress: it is then doing the same work.
            _ = sqlite3_wal_checkpoint_v2(database, 0, SqliteCheckpointPassive, null, null);
            WriterCheckpoints++;
        }
        else if (walPages >= CheckpointPages)
        {
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
                using var checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                checkpoint.ExecuteNonQuery();
                BackgroundCheckpoints++;
            }
            catch (SqliteException)
            {
                // A store that cannot be read now: the next request tries again, and the writer's own checkpoint still bounds the WAL.
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

using ClawSharp.Gateway.Storage;
using ClawSharp.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// Group commit on a real SQLite file: what a batch that fails does to its waiters, what one
/// failing write does to the others, and that order holds across batches.
/// </summary>
public sealed class StoreWriterTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempHome home = new();
    private readonly SqliteConnection connection;
    private readonly Lock gate = new();

    public StoreWriterTests()
    {
        connection = new SqliteConnection($"Data Source={Path.Combine(home.Root, "writer.db")};Pooling=False");
        connection.Open();
        using var create = connection.CreateCommand();
        // A deferred foreign key is checked at COMMIT: the way to make a real commit fail on purpose.
        create.CommandText = """
            PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;
            CREATE TABLE parents (id INTEGER PRIMARY KEY);
            CREATE TABLE children (parent INTEGER REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED);
            CREATE TABLE rows (n INTEGER NOT NULL);
            """;
        create.ExecuteNonQuery();
    }

    public void Dispose()
    {
        connection.Dispose();
        home.Dispose();
    }

    [Fact]
    public async Task ABatchThatFailsToCommit_FailsEveryWaiter_AndWritesNothing()
    {
        using var writer = new StoreWriter(connection, gate, StoreWriter.DefaultMaxBatch, null);
        // A first write holds the committer until the rest have queued: they make up the next batch, all of it.
        using var others = new ManualResetEventSlim();
        var first = HoldTheCommitter(writer, others);
        var writes = Enumerable.Range(0, 25).Select(n => writer.WriteAsync(transaction => Insert(transaction, $"INSERT INTO rows VALUES ({n})"))).ToList();
        // This one breaks the commit: a deferred foreign key is only checked at COMMIT.
        var breaking = writer.WriteAsync(transaction => Insert(transaction, "INSERT INTO children VALUES (42)"));
        writes.AddRange(Enumerable.Range(25, 25).Select(n => writer.WriteAsync(transaction => Insert(transaction, $"INSERT INTO rows VALUES ({n})"))));
        others.Set();
        await first;

        var error = await Assert.ThrowsAsync<SqliteException>(() => breaking);
        Assert.Contains("FOREIGN KEY", error.Message, StringComparison.OrdinalIgnoreCase);
        foreach (var write in writes)
        {
            await Assert.ThrowsAsync<SqliteException>(() => write);
        }
        Assert.Equal(0L, Count("rows"));
        Assert.Equal(0L, Count("children"));
        // The writer goes on: the next batch commits.
        Assert.Equal(1, await writer.WriteAsync(transaction => Insert(transaction, "INSERT INTO rows VALUES (7)")));
        Assert.Equal(1L, Count("rows"));
    }

    [Fact]
    public async Task AWriteThatThrows_FailsOnlyItsCaller_TheRestOfItsBatchCommits()
    {
        using var writer = new StoreWriter(connection, gate, StoreWriter.DefaultMaxBatch, null);
        using var others = new ManualResetEventSlim();
        var first = HoldTheCommitter(writer, others, transaction => Insert(transaction, "INSERT INTO rows VALUES (-1)"));
        var half = writer.WriteAsync(transaction =>
        {
            // Half-written, then it throws: its savepoint takes the half back.
            Insert(transaction, "INSERT INTO rows VALUES (1000)");
            return Insert(transaction, "INSERT INTO no_such_table VALUES (1)");
        });
        var rest = Enumerable.Range(0, 10).Select(n => writer.WriteAsync(transaction => Insert(transaction, $"INSERT INTO rows VALUES ({n})"))).ToList();
        others.Set();

        await first;
        await Assert.ThrowsAsync<SqliteException>(() => half);
        await Task.WhenAll(rest);
        Assert.Equal(11L, Count("rows"));
        Assert.Equal(0L, Count("rows WHERE n = 1000"));
    }

    [Fact]
    public async Task WritesCommitInTheOrderTheyWereQueued_AcrossBatches()
    {
        var commits = new List<int>();
        using var writer = new StoreWriter(connection, gate, maxBatch: 3, committed: (size, _) =>
        {
            lock (commits)
            {
                commits.Add(size);
            }
        });
        // A first write holds the committer until the rest have queued: they make up the next batch, all of it.
        using var others = new ManualResetEventSlim();
        var first = HoldTheCommitter(writer, others);
        var writes = Enumerable.Range(0, 100).Select(n => writer.WriteAsync(transaction => Insert(transaction, $"INSERT INTO rows VALUES ({n})"))).ToList();
        others.Set();

        await first;
        await Task.WhenAll(writes);
        Assert.Equal(Enumerable.Range(0, 100).Select(n => (long)n), Column("SELECT n FROM rows ORDER BY rowid"));
        Assert.Equal(1 + 34, commits.Count);
        Assert.All(commits.Skip(1).SkipLast(1), size => Assert.Equal(3, size));
    }

    [Fact]
    public async Task MessagesOfEachSession_KeepTheirOrder_WhenSessionsShareCommits()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, TimeProvider.System, maxBatch: 4);

        // Four pipelines queue without waiting (as pipelining clients' frames are), sharing batches of at most four writes.
        var sessions = await Task.WhenAll(Enumerable.Range(0, 4).Select(s => Task.Run(async () =>
        {
            var accepts = Enumerable.Range(0, 30).Select(n => store.AcceptMessageAsync($"s{s}", $"m{n}", $"k{n}", "echo", null)).ToList();
            return await Task.WhenAll(accepts);
        })));

        for (var s = 0; s < 4; s++)
        {
            Assert.Equal(sessions[s].Select(a => a.RunId), store.ActiveRunIds($"s{s}"));
            Assert.Equal(Enumerable.Range(0, 30).Select(n => $"m{n}"), store.History($"s{s}", 100).Select(e => e.Content));
        }
        // The same key again, queued behind its first use: one message, the first's ids.
        var again = await Task.WhenAll(store.AcceptMessageAsync("t", "x", "dup", "echo", null), store.AcceptMessageAsync("t", "y", "dup", "echo", null));
        Assert.Equal(again[0].MessageId, again[1].MessageId);
        Assert.True(again[1].Duplicate);
    }

    [Fact]
    public async Task CommittedCallbacks_RunInQueueOrder_BeforeTheirCallersResume()
    {
        using var writer = new StoreWriter(connection, gate, maxBatch: 7, committed: null);
        var heard = new List<int>();
        using var others = new ManualResetEventSlim();
        var first = HoldTheCommitter(writer, others);
        // What a session's lane relies on: callers resume in any order, the callbacks in the order the writes queued.
        var writes = Enumerable.Range(0, 50).Select(async n =>
        {
            await writer.WriteAsync(transaction => Insert(transaction, $"INSERT INTO rows VALUES ({n})"), _ =>
            {
                lock (heard)
                {
                    heard.Add(n);
                }
            });
            lock (heard)
            {
                Assert.Contains(n, heard);
            }
        }).ToList();
        others.Set();

        await first;
        await Task.WhenAll(writes);
        Assert.Equal(Enumerable.Range(0, 50), heard);
    }

    [Fact]
    public async Task InDurableMode_ABatchOfOnlyWritesThatMayBeLost_IsNotSynced_AndTheNextOneIs()
    {
        using (var full = connection.CreateCommand())
        {
            full.CommandText = "PRAGMA synchronous = FULL;";
            full.ExecuteNonQuery();
        }
        var synced = new List<bool>();
        using var writer = new StoreWriter(connection, gate, StoreWriter.DefaultMaxBatch, (_, sync) => synced.Add(sync), durable: true);

        // Each write reads the synchronous setting its own transaction commits with: 2 = FULL (fsync), 1 = NORMAL.
        var mark = await writer.WriteAsync(Synchronous, mayBeLostInAPowerCut: true);
        var accept = await writer.WriteAsync(Synchronous);
        var markAgain = await writer.WriteAsync(Synchronous, mayBeLostInAPowerCut: true);

        Assert.Equal((1L, 2L, 1L), (mark, accept, markAgain));
        Assert.Equal([false, true, false], synced);
    }

    [Fact]
    public async Task AWriteThatMayBeLost_WaitsForAWriteThatMatters_AndCommitsWithIt()
    {
        var batches = new List<int>();
        using var writer = new StoreWriter(connection, gate, StoreWriter.DefaultMaxBatch, (size, _) => batches.Add(size))
        {
            MayBeLostLinger = TimeSpan.FromSeconds(60),
        };

        var mark = writer.WriteAsync(transaction => Insert(transaction, "INSERT INTO rows VALUES (1)"), mayBeLostInAPowerCut: true);
        // Alone, it would have committed within a millisecond.
        Assert.NotSame(mark, await Task.WhenAny(mark, Task.Delay(TimeSpan.FromMilliseconds(300))));
        var accept = writer.WriteAsync(transaction => Insert(transaction, "INSERT INTO rows VALUES (2)"));
        await Task.WhenAll(mark, accept).WaitAsync(Deadline);

        Assert.Equal([2], batches);
    }

    [Fact]
    public void AWriteThatFindsTheWriterIdle_IsCommittedOnItsCallersThread_BeforeItReturns()
    {
        var batches = new List<int>();
        using var writer = new StoreWriter(connection, gate, StoreWriter.DefaultMaxBatch, (size, _) => batches.Add(size));
        var caller = Environment.CurrentManagedThreadId;
        var committedOn = -1;

        var write = writer.WriteAsync(transaction => Insert(transaction, "INSERT INTO rows VALUES (1)"),
            committed: _ => committedOn = Environment.CurrentManagedThreadId);

        Assert.True(write.IsCompletedSuccessfully, "an idle writer's caller commits its own write");
        Assert.Equal(caller, committedOn);
        Assert.Equal([1], batches);
        Assert.Equal(1L, Count("rows"));
    }

    [Fact]
    public void AWriteThatFindsOnlyLingeringWrites_CommitsThemWithItsOwn_OnItsCallersThread()
    {
        var batches = new List<int>();
        using var writer = new StoreWriter(connection, gate, StoreWriter.DefaultMaxBatch, (size, _) => batches.Add(size))
        {
            MayBeLostLinger = TimeSpan.FromSeconds(60),
        };
        var marks = Enumerable.Range(0, 3)
            .Select(n => writer.WriteAsync(transaction => Insert(transaction, $"INSERT INTO rows VALUES ({n})"), mayBeLostInAPowerCut: true))
            .ToList();

        var accept = writer.WriteAsync(transaction => Insert(transaction, "INSERT INTO rows VALUES (3)"));

        Assert.True(accept.IsCompletedSuccessfully);
        Assert.All(marks, mark => Assert.True(mark.IsCompletedSuccessfully));
        Assert.Equal([4], batches);
        Assert.Equal([0L, 1L, 2L, 3L], Column("SELECT n FROM rows ORDER BY rowid"));
    }

    [Fact]
    public async Task MoreLingeringWritesThanABatch_AreNotOvertakenByAWriteThatMatters()
    {
        var order = new List<int>();
        using var writer = new StoreWriter(connection, gate, maxBatch: 2, committed: null) { MayBeLostLinger = TimeSpan.FromSeconds(60) };
        var marks = Enumerable.Range(1, 3)
            .Select(n => writer.WriteAsync(transaction => Insert(transaction, $"INSERT INTO rows VALUES ({n})"), committed: _ => order.Add(n),
                mayBeLostInAPowerCut: true))
            .ToList();

        // Its caller cannot take them all into one commit of its own: it queues behind them.
        await writer.WriteAsync(transaction => Insert(transaction, "INSERT INTO rows VALUES (4)"), committed: _ => order.Add(4)).WaitAsync(Deadline);
        await Task.WhenAll(marks).WaitAsync(Deadline);

        Assert.Equal([1, 2, 3, 4], order);
    }

    [Fact]
    public async Task ACallbackThatThrowsOnTheCallersThread_DoesNotStopTheWriter()
    {
        using var writer = new StoreWriter(connection, gate, StoreWriter.DefaultMaxBatch, null);

        // Callbacks must not throw; if one does, its caller hears of it and later writes still commit.
        var thrown = Record.Exception(() =>
        {
            _ = writer.WriteAsync(transaction => Insert(transaction, "INSERT INTO rows VALUES (1)"), committed: _ => throw new InvalidOperationException("a bug"));
        });
        Assert.IsType<InvalidOperationException>(thrown);

        Assert.Equal(1, await writer.WriteAsync(transaction => Insert(transaction, "INSERT INTO rows VALUES (2)")).WaitAsync(Deadline));
        Assert.Equal(2L, Count("rows"));
    }

    [Fact]
    public async Task CallersMixingInlineQueuedAndLingeringWrites_EachSeeTheirWritesCommitInOrder_AndNoneIsLost()
    {
        // Eight callers at once (as connections and session lanes are): each awaits its writes that matter and leaves
        // its may-be-lost ones (as the outbox does its marks), so commits run inline, on the writer's thread, and with
        // lingering writes taken along, in every mix. Small batches and a short linger make all of them happen.
        var writer = new StoreWriter(connection, gate, maxBatch: 5, committed: null) { MayBeLostLinger = TimeSpan.FromMilliseconds(1) };
        var seen = Enumerable.Range(0, 8).Select(_ => new List<int>()).ToArray();
        var left = new List<Task>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                var n = caller * 1000 + i;
                var mayBeLost = i % 3 == 0;
                var write = writer.WriteAsync(transaction => Insert(transaction, $"INSERT INTO rows VALUES ({n})"),
                    committed: _ => seen[caller].Add(n), mayBeLostInAPowerCut: mayBeLost);
                if (mayBeLost)
                {
                    lock (left)
                    {
                        left.Add(write);
                    }
                }
                else
                {
                    await write;
                }
            }
        }))).WaitAsync(Deadline);
        writer.Dispose();

        Assert.All(left, write => Assert.True(write.IsCompletedSuccessfully));
        foreach (var committed in seen)
        {
            Assert.Equal(150, committed.Count);
            Assert.Equal(committed.Order(), committed);
        }
        Assert.Equal(8L * 150, Count("rows"));
    }

    [Fact]
    public async Task AWriteThatMayBeLost_Alone_CommitsAfterTheLinger()
    {
        using var writer = new StoreWriter(connection, gate, StoreWriter.DefaultMaxBatch, null) { MayBeLostLinger = TimeSpan.FromMilliseconds(20) };

        await writer.WriteAsync(transaction => Insert(transaction, "INSERT INTO rows VALUES (1)"), mayBeLostInAPowerCut: true).WaitAsync(Deadline);

        Assert.Equal(1L, Count("rows"));
    }

    [Fact]
    public void Dispose_EndsALinger_AndCommitsWhatWaits()
    {
        var writer = new StoreWriter(connection, gate, StoreWriter.DefaultMaxBatch, null) { MayBeLostLinger = TimeSpan.FromSeconds(60) };
        var mark = writer.WriteAsync(transaction => Insert(transaction, "INSERT INTO rows VALUES (1)"), mayBeLostInAPowerCut: true);

        writer.Dispose();

        Assert.True(mark.IsCompletedSuccessfully);
        Assert.Equal(1L, Count("rows"));
    }

    [Fact]
    public async Task AfterDispose_AWriteIsRefused_AndWhatWasQueuedIsCommitted()
    {
        var writer = new StoreWriter(connection, gate, StoreWriter.DefaultMaxBatch, null);
        var queued = Enumerable.Range(0, 20).Select(n => writer.WriteAsync(transaction => Insert(transaction, $"INSERT INTO rows VALUES ({n})"))).ToList();
        writer.Dispose();

        await Task.WhenAll(queued);
        Assert.Equal(20L, Count("rows"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.WriteAsync(transaction => Insert(transaction, "INSERT INTO rows VALUES (1)")));
    }

    /// <summary>A write (doing <paramref name="first"/>) that holds its batch open until <paramref name="release"/> is set; returns once it runs.</summary>
    private static Task<int> HoldTheCommitter(StoreWriter writer, ManualResetEventSlim release, Func<SqliteTransaction, int>? first = null)
    {
        using var inside = new ManualResetEventSlim();
        var write = Task.Run(() => writer.WriteAsync(transaction =>
        {
            var result = first?.Invoke(transaction) ?? 0;
            inside.Set();
            release.Wait(Deadline);
            return result;
        }));
        Assert.True(inside.Wait(Deadline));
        return write;
    }

    private static long Synchronous(SqliteTransaction transaction)
    {
        Insert(transaction, "INSERT INTO rows VALUES (7)");
        using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA synchronous;";
        return (long)command.ExecuteScalar()!;
    }

    private static int Insert(SqliteTransaction transaction, string sql)
    {
        using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    private long Count(string table) => Column($"SELECT COUNT(*) FROM {table}").Single();

    private List<long> Column(string sql)
    {
        lock (gate)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var values = new List<long>();
            while (reader.Read())
            {
                values.Add(reader.GetInt64(0));
            }
            return values;
        }
    }
}

using ClawSharp.Gateway.Storage;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// The WAL stays bounded, and its checkpoints happen beside the writer rather than inside a
/// commit: paced writes are checkpointed by the background thread alone; writes that never pause
/// are still bounded by the writer's own checkpoint.
/// </summary>
public sealed class WalCheckpointerTests : IDisposable
{
    // ~100 KiB of WAL per message: the background's 4 MiB are crossed after ~40 messages.
    private static readonly string LargeText = new('x', 100_000);
    private readonly TempHome home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task AWalPastItsThreshold_IsCheckpointedInTheBackground_AndStartsOver()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, TimeProvider.System);

        // Past 4 MiB, and far from the writer's own threshold.
        for (var i = 0; i < 50; i++)
        {
            await store.AcceptMessageAsync($"s{i}", LargeText, null, "echo", null);
        }

        await Eventually.AssertAsync(() => Task.FromResult(store.WalCheckpoints.Background >= 1), TimeSpan.FromSeconds(30), "a background checkpoint");
        Assert.Equal(0, store.WalCheckpoints.Writer);
        // Once a checkpoint copied every frame, the next commit starts the WAL over.
        await Eventually.AssertAsync(async () =>
        {
            await store.AcceptMessageAsync("after", "small", null, "echo", null);
            return store.WalCheckpoints.WalPages < 100;
        }, TimeSpan.FromSeconds(30), "the WAL to start over");
    }

    [Fact]
    public async Task WritesThatNeverPause_AreBoundedByTheWritersOwnCheckpoint()
    {
        using var store = GatewayStore.Open(home.State.StoreFile, TimeProvider.System);
        // The writer's threshold, plus the batch that crossed it (8 messages of ~100 KiB); a frame is a page and a 24-byte header.
        var pageSize = store.Pragma("page_size");
        var bound = (WalCheckpointer.WriterCheckpointBytes / pageSize + 8 * 120_000 / pageSize) * (pageSize + 24) + 32;
        var largest = 0L;

        // 8 writers at once, ~400 messages (~10,000 pages): batches follow each other with no pause.
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < 400)
            {
                await store.AcceptMessageAsync($"s{p}", LargeText, null, "echo", null);
                var wal = WalBytes();
                long seen;
                while ((seen = Interlocked.Read(ref largest)) < wal && Interlocked.CompareExchange(ref largest, wal, seen) != seen)
                {
                }
            }
        })));

        Assert.True(largest <= bound, $"the WAL reached {largest} bytes; bound {bound}");
        Assert.True(store.WalCheckpoints.Writer >= 1, $"checkpoints: {store.WalCheckpoints}");
        Assert.True(store.WalCheckpoints.Background + store.WalCheckpoints.Writer >= 2, $"checkpoints: {store.WalCheckpoints}");
    }

    private long WalBytes()
    {
        var wal = new FileInfo(home.State.StoreFile + "-wal");
        return wal.Exists ? wal.Length : 0;
    }
}

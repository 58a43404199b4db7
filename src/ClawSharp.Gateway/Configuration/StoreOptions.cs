namespace ClawSharp.Gateway.Configuration;

/// <summary>What a committed transaction of <c>state.db</c> survives (config key <c>store.durability</c>).</summary>
internal enum StoreDurability
{
    /// <summary>
    /// <c>durable</c>: SQLite <c>synchronous=FULL</c>, the WAL is fsynced at every commit. A
    /// committed (acknowledged) message survives a crash of the process and a power loss.
    /// </summary>
    Durable,

    /// <summary>
    /// <c>fast</c>: <c>synchronous=NORMAL</c> in WAL mode, fsync only at checkpoints. A commit
    /// survives <c>kill -9</c> of the process (the kernel has the write), but a power loss or a
    /// kernel crash may lose the last commits. Fewer flushes: less wear on an SD card.
    /// </summary>
    Fast,
}

/// <summary>The store, <c>state.db</c> (config object <c>store</c>).</summary>
internal sealed class StoreOptions
{
    /// <summary>Default of <see cref="Retention"/>: 30 days.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);

    /// <summary>What a commit survives (<c>store.durability</c>: <c>durable</c> or <c>fast</c>). Default <see cref="StoreDurability.Durable"/>.</summary>
    public StoreDurability Durability { get; init; } = StoreDurability.Durable;

    /// <summary>
    /// How long the messages, runs and replies of finished work are kept (<c>store.retentionDays</c>;
    /// 0 = forever, <see cref="Timeout.InfiniteTimeSpan"/> here). Default 30 days.
    /// </summary>
    public TimeSpan Retention { get; init; } = DefaultRetention;

    /// <summary>The config spelling of a durability mode.</summary>
    public static string NameOf(StoreDurability durability) => durability == StoreDurability.Fast ? "fast" : "durable";
}

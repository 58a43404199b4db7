namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// The configuration in effect, swapped whole (one reference write) when a config reload
/// applies hot settings or a generation starts: the work, the agents, the log level and the
/// restart decisions read <see cref="Current"/> at use time instead of a copy taken at start.
/// Also what <c>status</c> reports of the reloads: when the file was last applied, the keys
/// that wait for a restart, and the last change refused.
/// </summary>
internal sealed class LiveConfig(GatewayConfig initial)
{
    private volatile GatewayConfig current = initial;
    private volatile ReloadState reload = new(null, [], null);

    public LiveConfig()
        : this(new GatewayConfig())
    {
    }

    /// <summary>Raised after <see cref="Current"/> changed, on the thread that swapped it.</summary>
    public event Action<GatewayConfig>? Changed;

    public GatewayConfig Current => current;

    public ReloadState Reload => reload;

    /// <summary>Puts <paramref name="config"/> in effect and tells the subscribers.</summary>
    public void Swap(GatewayConfig config)
    {
        current = config;
        Changed?.Invoke(config);
    }

    /// <summary>A reload applied the file at <paramref name="at"/>; <paramref name="pendingRestart"/> are the keys that wait for a restart.</summary>
    public void Reloaded(DateTimeOffset at, IReadOnlyList<string> pendingRestart) => reload = reload with { ReloadedAt = at, PendingRestart = pendingRestart, Refused = null };

    /// <summary>A change was refused (invalid): the gateway keeps what it has; null once the file is valid again.</summary>
    public void Refused(string? problem) => reload = reload with { Refused = problem };

    /// <summary>A restart started a generation on the file as it is: nothing waits for a restart any more.</summary>
    public void Restarted() => reload = reload with { PendingRestart = [] };
}

/// <summary>What <c>status</c> says of config reloads.</summary>
/// <param name="ReloadedAt">When a change to the file was last applied; null when none was since the process started.</param>
/// <param name="PendingRestart">Changed keys that take effect only at the next restart.</param>
/// <param name="Refused">The last change refused, when the file has not been valid since.</param>
internal sealed record ReloadState(DateTimeOffset? ReloadedAt, IReadOnlyList<string> PendingRestart, string? Refused);

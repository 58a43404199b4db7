namespace ClawSharp.Gateway.Configuration;

/// <summary>Restart settings (config keys <c>commands.restart</c> and <c>gateway.reload.*</c>).</summary>
internal sealed class RestartOptions
{
    /// <summary>Whether restarts may be requested at all (SIGUSR1, RPC). Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>How config changes are applied (<c>gateway.reload.mode</c>). Default <c>hybrid</c>.</summary>
    public string ReloadMode { get; init; } = "hybrid";

    /// <summary>
    /// How long a safe restart waits for active work before it is forced
    /// (<c>gateway.reload.deferralTimeoutMs</c>). Default 300 s; infinite when configured as 0.
    /// </summary>
    public TimeSpan DeferralTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Least time between two restarts (<c>gateway.reload.cooldownMs</c>). Default 30 s.</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a fresh-PID respawn (and an update restart) waits for the new process to own the
    /// lock and answer <c>/readyz</c> 200, polling every 200 ms, before it kills the new process
    /// and restarts in process (<c>gateway.reload.spawnReadyTimeoutMs</c>). Default 10 s.
    /// </summary>
    public TimeSpan SpawnReadyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the config watcher waits for writes to settle before it reloads (<c>gateway.reload.debounceMs</c>). Default 300 ms.</summary>
    public TimeSpan ReloadDebounce { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Least delay before a restart that a config change asked for begins (<c>gateway.reload.restartDelayMs</c>). Default 2 s.</summary>
    public TimeSpan ReloadRestartDelay { get; init; } = TimeSpan.FromSeconds(2);
}

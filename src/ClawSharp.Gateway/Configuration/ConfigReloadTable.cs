using System.Globalization;

namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// The one table of how each config key takes effect: <see cref="ReloadKind.Hot"/> (applied live,
/// read through <see cref="LiveConfig"/> at use time) or <see cref="ReloadKind.Restart"/>. An
/// entry ending in <c>.</c> classifies every key under that prefix (object- and array-valued
/// keys). Every key <see cref="ConfigLoader"/> reads must be classified here (a test enumerates
/// them), and a key not classified counts as restart: a change never silently does nothing.
/// <see cref="Effective"/> gives a key's value in a loaded configuration, for <c>config get</c>
/// and <c>status</c>; null for a key it does not know (or a secret).
/// </summary>
internal static class ConfigReloadTable
{
    private static readonly (string Key, ReloadKind Kind, Func<GatewayConfig, object?>? Value)[] Entries =
    [
        ("gateway.port", ReloadKind.Restart, c => c.Gateway.Port),
        ("gateway.bind", ReloadKind.Restart, c => c.Gateway.Bind.ToString()),
        ("gateway.auth.", ReloadKind.Restart, null),
        ("gateway.auth.token", ReloadKind.Restart, null),
        ("gateway.auth.password", ReloadKind.Restart, null),
        ("gateway.auth.mode", ReloadKind.Restart, c => c.Gateway.AuthMode.ToString().ToLowerInvariant()),
        ("gateway.auth.tokens", ReloadKind.Restart, null),
        ("gateway.auth.noneScopes", ReloadKind.Restart, null),
        // The Origin policy and the TLS certificate are built with a generation's server.
        ("gateway.allowedOrigins", ReloadKind.Restart, null),
        ("gateway.maxConnections", ReloadKind.Restart, c => c.Gateway.MaxConnections),
        ("gateway.tls.certificateFile", ReloadKind.Restart, null),
        ("gateway.tls.keyFile", ReloadKind.Restart, null),
        ("gateway.reload.mode", ReloadKind.Hot, c => c.Restart.ReloadMode),
        ("gateway.reload.deferralTimeoutMs", ReloadKind.Hot, c => Milliseconds(c.Restart.DeferralTimeout)),
        ("gateway.reload.cooldownMs", ReloadKind.Hot, c => Milliseconds(c.Restart.Cooldown)),
        ("gateway.reload.spawnReadyTimeoutMs", ReloadKind.Hot, c => Milliseconds(c.Restart.SpawnReadyTimeout)),
        ("gateway.reload.debounceMs", ReloadKind.Hot, c => Milliseconds(c.Restart.ReloadDebounce)),
        ("gateway.reload.restartDelayMs", ReloadKind.Hot, c => Milliseconds(c.Restart.ReloadRestartDelay)),
        ("commands.restart", ReloadKind.Hot, c => c.Restart.Enabled),
        ("logs.level", ReloadKind.Hot, c => LevelName(c.Logs.Level)),
        ("logs.maxFileBytes", ReloadKind.Restart, c => c.Logs.MaxFileBytes),
        ("logs.maxBackups", ReloadKind.Restart, c => c.Logs.MaxBackups),
        ("agents.default", ReloadKind.Hot, c => c.Agents.Default),
        ("agents.maxConcurrentRuns", ReloadKind.Hot, c => c.Agents.MaxConcurrentRuns),
        ("agents.echo.delayMs", ReloadKind.Hot, c => Milliseconds(c.Agents.EchoDelay)),
        ("agents.exec.command", ReloadKind.Hot, c => c.Agents.ExecCommand),
        ("agents.exec.timeoutMs", ReloadKind.Hot, c => Milliseconds(c.Agents.ExecTimeout)),
        ("agents.exec.maxReplyBytes", ReloadKind.Hot, c => c.Agents.ExecMaxReplyBytes),
        ("agents.exec.environment", ReloadKind.Hot, null),
        ("agents.openai.baseUrl", ReloadKind.Hot, c => c.Agents.OpenAiBaseUrl),
        ("agents.openai.model", ReloadKind.Hot, c => c.Agents.OpenAiModel),
        ("agents.openai.apiKeyEnv", ReloadKind.Hot, c => c.Agents.OpenAiApiKeyEnv),
        ("agents.openai.timeoutMs", ReloadKind.Hot, c => Milliseconds(c.Agents.OpenAiTimeout)),
        ("tasks.retentionMs", ReloadKind.Hot, c => Milliseconds(c.Tasks.Retention)),
        ("tasks.defaultTimeoutMs", ReloadKind.Hot, c => Milliseconds(c.Tasks.DefaultTimeout)),
        ("tasks.maxOutputBytes", ReloadKind.Hot, c => c.Tasks.MaxOutputBytes),
        // The task runner's environment filter is built with the generation's work host.
        ("tasks.environment", ReloadKind.Restart, null),
        // The store is opened (its synchronous pragma set) with a generation's work host.
        ("store.durability", ReloadKind.Restart, c => StoreOptions.NameOf(c.Store.Durability)),
        // Read by the hourly sweep each time it runs.
        ("store.retentionDays", ReloadKind.Hot, c => c.Store.Retention == Timeout.InfiniteTimeSpan ? 0 : (long)c.Store.Retention.TotalDays),
        // The webhook sender and its address policy (connect-time checks included) belong to the generation's work host.
        ("webhooks.timeoutMs", ReloadKind.Restart, c => Milliseconds(c.Webhooks.Timeout)),
        ("webhooks.maxAttempts", ReloadKind.Restart, c => c.Webhooks.MaxAttempts),
        ("webhooks.maxAgeMs", ReloadKind.Restart, c => Milliseconds(c.Webhooks.MaxAge)),
        ("webhooks.maxConcurrentDeliveries", ReloadKind.Restart, c => c.Webhooks.MaxConcurrentDeliveries),
        ("webhooks.allowedHosts", ReloadKind.Restart, null),
        ("webhooks.allowLoopback", ReloadKind.Restart, c => c.Webhooks.AllowLoopback),
        ("webhooks.allowPrivateNetworks", ReloadKind.Restart, c => c.Webhooks.AllowPrivateNetworks),
        // A stop's and a close's budgets are taken from the generation's start (the watchdog, systemd's stop timeout).
        ("shutdown.timeoutMs", ReloadKind.Restart, c => Milliseconds(c.Shutdown.StopTimeout)),
        ("shutdown.drainTimeoutMs", ReloadKind.Restart, c => Milliseconds(c.Shutdown.DrainTimeout)),
        // Read by the built-in supervisor when it starts (`gateway supervise`): a gateway restart does not re-read them.
        ("daemon.backoffMs", ReloadKind.Restart, c => Milliseconds(c.Daemon.InitialBackoff)),
        ("daemon.backoffMaxMs", ReloadKind.Restart, c => Milliseconds(c.Daemon.MaxBackoff)),
        ("daemon.crashLimit", ReloadKind.Restart, c => c.Daemon.CrashLimit),
        ("daemon.crashWindowMs", ReloadKind.Restart, c => Milliseconds(c.Daemon.CrashWindow)),
        ("daemon.startTimeoutMs", ReloadKind.Restart, c => Milliseconds(c.Daemon.StartTimeout)),
        // Read by the gateway's supervisor watch at each look.
        ("daemon.resupervise", ReloadKind.Hot, c => c.Daemon.Resupervise),
    ];

    /// <summary>Whether <paramref name="key"/> has its own entry (a leaf must: prefix entries are for object- and array-valued keys).</summary>
    public static bool HasEntry(string key) => Entries.Any(e => e.Key == key);

    /// <summary>How a change to <paramref name="key"/> takes effect; an unclassified key needs a restart.</summary>
    public static ReloadKind KindOf(string key) => Find(key)?.Kind ?? ReloadKind.Restart;

    /// <summary>The value <paramref name="config"/> gives <paramref name="key"/> (a number, string, bool or null), or false when the table has no reader for it.</summary>
    public static bool TryEffective(string key, GatewayConfig config, out object? value)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key == key && entry.Value is { } read)
            {
                value = read(config);
                return true;
            }
        }
        value = null;
        return false;
    }

    /// <summary>The keys of the table with their kind, for the docs and <c>config get</c>.</summary>
    public static IEnumerable<(string Key, ReloadKind Kind)> All => Entries.Select(e => (e.Key, e.Kind));

    private static (string Key, ReloadKind Kind, Func<GatewayConfig, object?>? Value)? Find(string key)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key == key)
            {
                return entry;
            }
        }
        (string Key, ReloadKind Kind, Func<GatewayConfig, object?>? Value)? best = null;
        foreach (var entry in Entries)
        {
            if (entry.Key.EndsWith('.') && key.StartsWith(entry.Key, StringComparison.Ordinal) && (best is null || entry.Key.Length > best.Value.Key.Length))
            {
                best = entry;
            }
        }
        return best;
    }

    private static long Milliseconds(TimeSpan span) => span == Timeout.InfiniteTimeSpan ? 0 : (long)span.TotalMilliseconds;

    /// <summary>The name <c>logs.level</c> takes for a level (the loader's spelling).</summary>
    public static string LevelName(Serilog.Events.LogEventLevel level) => level switch
    {
        Serilog.Events.LogEventLevel.Verbose => "trace",
        Serilog.Events.LogEventLevel.Debug => "debug",
        Serilog.Events.LogEventLevel.Information => "info",
        Serilog.Events.LogEventLevel.Warning => "warn",
        Serilog.Events.LogEventLevel.Error => "error",
        _ => "fatal",
    };

    internal static string Format(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

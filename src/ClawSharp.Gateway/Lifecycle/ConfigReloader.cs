using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// Decides what a change to <c>config.json</c> does, on the run loop's thread (the watcher only
/// posts <see cref="RunLoopCommand.ConfigChanged"/>). The file is validated as a start would
/// (<see cref="IGenerationStarter.LoadConfig"/>: the same loader, the command-line overrides on
/// top); an invalid one is refused and logged with the key and the file, and nothing changes.
/// The changed keys are the leaves whose JSON differs from the file last applied, less those the
/// command line sets; <see cref="ConfigReloadTable"/> classifies them. By the new file's
/// <c>gateway.reload.mode</c>: <c>hybrid</c> applies the hot ones live and asks for a restart for
/// the rest; <c>hot</c> applies the hot ones and logs the rest; <c>restart</c> asks for a restart
/// for any change; <c>off</c> ignores the change (it is seen again once the mode allows it).
/// Returns the restart to ask the loop for, if any: the loop decides it like any other.
/// </summary>
internal sealed class ConfigReloader(StateDirectory state, ConfigOverrides overrides, LiveConfig live, IGenerationStarter starter, TimeProvider time,
    ILogger logger)
{
    /// <summary>The reason every restart a config change asks for carries.</summary>
    public const string Reason = "config.reload";

    private Dictionary<string, string> applied = Leaves(state.ConfigFile) ?? [];

    /// <summary>The file as a generation started on it: the base the next change is compared with.</summary>
    public void Rebase()
    {
        applied = Leaves(state.ConfigFile) ?? applied;
        live.Restarted();
    }

    public RunLoopCommand.RestartRequested? Reload()
    {
        var file = state.ConfigFile;
        GatewayConfig next;
        try
        {
            next = starter.LoadConfig();
        }
        catch (ConfigException e)
        {
            LifecycleLog.ConfigRefused(logger, file, e.Message);
            live.Refused(e.Summary);
            return null;
        }
        var leaves = Leaves(file) ?? [];
        var changed = Changed(applied, leaves);
        var overridden = changed.Where(IsOverridden).ToList();
        if (overridden.Count > 0)
        {
            LifecycleLog.ConfigOverridden(logger, string.Join(", ", overridden), file);
            changed.RemoveAll(overridden.Contains);
        }
        if (changed.Count == 0)
        {
            LifecycleLog.ConfigUnchanged(logger, file);
            applied = leaves;
            live.Refused(null);
            return null;
        }
        var mode = next.Restart.ReloadMode;
        var keys = string.Join(", ", changed);
        if (mode == "off")
        {
            // The base stays: once the mode allows reloads, these changes are seen with the next one.
            LifecycleLog.ConfigIgnored(logger, file, keys);
            return null;
        }
        applied = leaves;
        var restartKeys = mode == "restart" ? changed : changed.Where(k => ConfigReloadTable.KindOf(k) == ReloadKind.Restart).ToList();
        var hotKeys = changed.Except(restartKeys).ToList();
        var pending = live.Reload.PendingRestart.Union(restartKeys).ToList();
        if (mode != "restart")
        {
            live.Swap(next);
        }
        live.Reloaded(time.GetUtcNow(), pending);
        if (hotKeys.Count > 0)
        {
            LifecycleLog.ConfigApplied(logger, file, string.Join(", ", hotKeys));
        }
        if (restartKeys.Count == 0)
        {
            return null;
        }
        if (mode == "hot")
        {
            LifecycleLog.ConfigRestartNeeded(logger, string.Join(", ", restartKeys), file);
            return null;
        }
        LifecycleLog.ConfigRestartRequested(logger, string.Join(", ", restartKeys), file, mode);
        var ask = new Restart.RestartAsk(Reason, Reason, SkipDeferral: false, InterruptActiveWork: false, Force: null, WaitMs: null)
        {
            RequestedAt = time.GetUtcNow(),
            Delay = next.Restart.ReloadRestartDelay,
        };
        return new RunLoopCommand.RestartRequested(Reason, ask);
    }

    private bool IsOverridden(string key) => key switch
    {
        "gateway.port" => overrides.Port is not null,
        "gateway.bind" => overrides.Bind is not null,
        "gateway.auth.mode" => overrides.AuthMode is not null,
        "gateway.auth.token" => overrides.Token is not null,
        "gateway.auth.password" => overrides.PasswordFile is not null,
        _ => false,
    };

    private static List<string> Changed(Dictionary<string, string> before, Dictionary<string, string> after) =>
        [.. before.Keys.Union(after.Keys)
            .Where(k => !before.TryGetValue(k, out var old) || !after.TryGetValue(k, out var now) || old != now)
            .Order(StringComparer.Ordinal)];

    /// <summary>Every leaf of the file (dotted key → its JSON, normalised), or null when it cannot be read as JSON.</summary>
    private static Dictionary<string, string>? Leaves(string file)
    {
        try
        {
            if (!File.Exists(file))
            {
                return [];
            }
            var text = File.ReadAllText(file);
            if (string.IsNullOrWhiteSpace(text))
            {
                return [];
            }
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var leaves = new Dictionary<string, string>(StringComparer.Ordinal);
            Walk(document.RootElement, "", leaves);
            return leaves;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static void Walk(JsonElement element, string prefix, Dictionary<string, string> leaves)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                Walk(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}", leaves);
            }
            return;
        }
        if (prefix.Length > 0)
        {
            // Compact, so that a reformatted file changes nothing.
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                element.WriteTo(writer);
            }
            leaves[prefix] = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
    }
}

using System.Threading.Channels;
using ClawSharp.Gateway.Configuration;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// Watches the state directory (not the file: an editor or <c>config set</c> that writes a temp
/// file and renames it over <c>config.json</c> replaces the inode; on Linux only for files closed
/// after writing, created, renamed or removed, <see cref="Infrastructure.FileReplacementWatch"/>) and, once writes have settled
/// for <c>gateway.reload.debounceMs</c>, posts <see cref="RunLoopCommand.ConfigChanged"/>. It
/// decides nothing: the run loop applies the change.
/// </summary>
internal sealed class ConfigWatcher : IDisposable
{
    private readonly FileSystemWatcher? watcher;
    private readonly Infrastructure.FileReplacementWatch? replacements;
    private readonly ITimer settle;
    private readonly LiveConfig live;
    private readonly string name;

    public ConfigWatcher(StateDirectory state, LiveConfig live, ChannelWriter<RunLoopCommand> commands, TimeProvider time, ILogger logger)
    {
        this.live = live;
        name = Path.GetFileName(state.ConfigFile);
        settle = time.CreateTimer(_ => commands.TryWrite(new RunLoopCommand.ConfigChanged()), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var directory = Path.GetDirectoryName(state.ConfigFile)!;
        if (OperatingSystem.IsLinux())
        {
            // Not FileSystemWatcher: it wakes for every write to state.db-wal in the same directory.
            try
            {
                replacements = Infrastructure.FileReplacementWatch.Start(directory, changed =>
                {
                    if (changed == name)
                    {
                        Settle();
                    }
                });
            }
            catch (IOException e)
            {
                LifecycleLog.ConfigWatchFailed(logger, directory, e.Message);
            }
            return;
        }
        try
        {
            watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += OnEvent;
            watcher.Created += OnEvent;
            watcher.Deleted += OnEvent;
            watcher.Renamed += OnEvent;
            watcher.Error += (_, e) => LifecycleLog.ConfigWatchFailed(logger, directory, e.GetException().Message);
            watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            LifecycleLog.ConfigWatchFailed(logger, directory, e.Message);
            watcher?.Dispose();
            watcher = null;
        }
    }

    public void Dispose()
    {
        replacements?.Dispose();
        watcher?.Dispose();
        settle.Dispose();
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        var ours = e.Name == name || (e is RenamedEventArgs renamed && renamed.OldName == name);
        if (ours)
        {
            Settle();
        }
    }

    // Every event restarts the wait: one reload once the writes have settled.
    private void Settle() => settle.Change(live.Current.Restart.ReloadDebounce, Timeout.InfiniteTimeSpan);
}

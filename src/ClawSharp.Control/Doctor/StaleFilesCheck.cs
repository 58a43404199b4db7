using System.Text.Json;
using ClawSharp.Daemon;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Respawn;
using ClawSharp.Gateway.Restart;

namespace ClawSharp.Control.Doctor;

/// <summary>
/// Lock, PID and intent files that name a process that is gone (or whose PID another program
/// has now): gateway.lock, restarting.json, restart-intent.json, daemon.json. A file is stale
/// only when provably so: its process checked by PID and start time (<see cref="ProcessIdentity.Check"/>),
/// and for the locks, nobody holds the lock. <c>--fix</c> removes stale files (the lock file is
/// emptied, never deleted: a gateway may be about to lock it) and leaves every file a live process owns.
/// Files that do not read at all are found too, and moved aside (<see cref="AddCorrupt"/>).
/// </summary>
internal sealed class StaleFilesCheck : IDoctorCheck
{
    public string Name => "stale-files";

    public DoctorFinding Run(DoctorContext context, bool fix)
    {
        var state = context.State;
        var stale = new List<(string What, Func<bool> Remove)>();
        if (GatewayLock.ReadOwner(state.LockFile) is { } owner && ProcessIdentity.Check(owner.Pid, owner.StartTime) != ProcessMatch.Same)
        {
            stale.Add(($"{state.LockFile} names pid {owner.Pid}, which is {Gone(owner.Pid)}", () => EmptyUnheldLock(state.LockFile)));
        }
        if (Read(state.RestartingFile, RespawnJsonContext.Default.RestartingProcess) is { } restarting
            && ProcessIdentity.Check(restarting.Pid, restarting.StartTime) != ProcessMatch.Same)
        {
            stale.Add(($"{state.RestartingFile} names pid {restarting.Pid}, which is {Gone(restarting.Pid)}", () => Delete(state.RestartingFile)));
        }
        var intentFile = RestartIntentStore.PathOf(state);
        if (Read(intentFile, RestartJsonContext.Default.RestartIntent) is { } intent
            && (ProcessIdentity.Of(intent.Pid) is null
                || DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(intent.CreatedAt) > RestartIntentStore.MaxAge))
        {
            stale.Add(($"{intentFile} is a restart intent for pid {intent.Pid} that was never consumed", () => Delete(intentFile)));
        }
        // Not stale while its gateway serves on (the supervisor died under it): 'gateway start' supervises that gateway again, which a
        // daemon.json marked stopped here would turn into "already running" (status says so).
        if (context.Snapshot.Daemon is { State: not (DaemonPhase.Stopped or DaemonPhase.Failed) } daemon && context.Snapshot.Supervisor is null
            && !SupervisorLock.IsHeld(state.SupervisorLockFile) && context.Snapshot.Unsupervised is null)
        {
            stale.Add(($"{state.DaemonStateFile} says {daemon.State.ToString().ToLowerInvariant()} but no supervisor runs (supervisor.lock is free)", () =>
            {
                DaemonCleanup.MarkStopped(state, "found stale by clawsharp doctor", TimeProvider.System);
                return DaemonStateFile.Read(state) is not DaemonStateRead.Found { State.State: not (DaemonPhase.Stopped or DaemonPhase.Failed) };
            }
            ));
        }
        AddCorrupt(state, stale);
        if (stale.Count == 0)
        {
            return DoctorFinding.Healthy(Name, "no lock, PID or intent file names a process that is gone, and each one reads");
        }
        var finding = string.Join("; ", stale.Select(s => s.What));
        const string Command = "clawsharp doctor --fix";
        if (!fix)
        {
            return new DoctorFinding(Name, false, finding, Command);
        }
        var left = stale.Where(s => !s.Remove()).Select(s => s.What).ToList();
        return left.Count == 0
            ? new DoctorFinding(Name, true, $"{finding}: removed", Command, Fixed: true)
            : new DoctorFinding(Name, false, $"{finding}; left (a process holds it now): {string.Join("; ", left)}", Command, Fixed: false);
    }

    /// <summary>
    /// Files that do not read (damaged, hand-edited): status says "corrupt" and start may misjudge
    /// the gateway by them. They are moved aside (<c>NAME.corrupt</c>, kept for a look), the lock
    /// file emptied under its lock; daemon.json only while no supervisor holds supervisor.lock.
    /// </summary>
    private static void AddCorrupt(Gateway.Configuration.StateDirectory state, List<(string What, Func<bool> Remove)> stale)
    {
        if (HasText(state.LockFile) && Unreadable(state.LockFile, path => GatewayLock.ReadOwner(path) is not null))
        {
            stale.Add(($"{state.LockFile} does not read as a lock owner", () => EmptyUnheldLock(state.LockFile)));
        }
        foreach (var (path, doesNotParse) in new (string, Func<string, bool>)[]
        {
            (state.RestartingFile, p => DoesNotParse(p, RespawnJsonContext.Default.RestartingProcess)),
            (RestartIntentStore.PathOf(state), p => DoesNotParse(p, RestartJsonContext.Default.RestartIntent)),
        })
        {
            if (doesNotParse(path))
            {
                // Checked again at the fix: a restart may have written a good one meanwhile.
                stale.Add(($"{path} does not read", () => !doesNotParse(path) || MoveAside(path)));
            }
        }
        if (DaemonStateFile.Read(state) is DaemonStateRead.Corrupt corrupt)
        {
            stale.Add(($"{state.DaemonStateFile} is corrupt ({corrupt.Problem})", () =>
            {
                using var held = SupervisorLock.TryAcquire(state.SupervisorLockFile, TimeSpan.Zero);
                return held is not null && (DaemonStateFile.Read(state) is not DaemonStateRead.Corrupt || MoveAside(state.DaemonStateFile));
            }
            ));
        }
    }

    /// <summary>
    /// The lock file's text does not name an owner: only a read that fails counts, never a file this
    /// user may not read (a root-owned one after a sudo run is not damage).
    /// </summary>
    private static bool Unreadable(string path, Func<string, bool> reads)
    {
        try
        {
            using var _ = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        return !reads(path);
    }

    /// <summary>
    /// The file has text that is not a <typeparamref name="T"/>. Not for a file that is missing, empty,
    /// or one this user may not read (a root-owned one after a sudo run is not damage).
    /// </summary>
    private static bool DoesNotParse<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        try
        {
            return bytes.Length > 0 && JsonSerializer.Deserialize(bytes, type) is null;
        }
        catch (JsonException)
        {
            return true;
        }
    }

    private static bool HasText(string path)
    {
        try
        {
            return File.Exists(path) && new FileInfo(path).Length > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Renames <paramref name="path"/> to <c>PATH.corrupt</c> (replacing an older one): out of the way, not lost.</summary>
    private static bool MoveAside(string path)
    {
        try
        {
            File.Move(path, path + ".corrupt", overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return !File.Exists(path);
        }
    }

    private static string Gone(int pid) => ProcessIdentity.Of(pid) is null ? "no longer running" : "now another program";

    private static T? Read<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), type);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static bool Delete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Empties the lock file under the lock itself: a gateway that holds it (or takes it first) is left alone.</summary>
    private static bool EmptyUnheldLock(string path)
    {
        try
        {
            using var stream = AtomicFile.OpenLockFile(path);
            if (!Posix.TryLockExclusive(stream.SafeFileHandle))
            {
                return false;
            }
            // Re-read under the lock: a gateway may have taken and written it since the check.
            var owner = GatewayLock.ReadOwner(path);
            if (owner is not null && ProcessIdentity.Check(owner.Pid, owner.StartTime) == ProcessMatch.Same)
            {
                return false;
            }
            stream.SetLength(0);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

using System.Text;
using System.Text.Json;
using ClawSharp.Gateway.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Claim;

/// <summary>The outcome of <see cref="GatewayLock.TryAcquire"/>.</summary>
internal abstract record LockAttempt
{
    private LockAttempt()
    {
    }

    /// <summary>This process owns the state directory now.</summary>
    public sealed record Acquired(GatewayLock Lock) : LockAttempt;

    /// <summary>A live gateway holds the lock; <paramref name="Owner"/> is what it recorded, if readable.</summary>
    public sealed record Held(LockOwner? Owner) : LockAttempt;
}

/// <summary>
/// Invariant: at most one live process owns a state directory. The kernel holds the
/// exclusion (an open-file-description lock on <c>gateway.lock</c>, released when the owner
/// dies), so a lock can never be stale; the JSON inside only says who the owner is. A file
/// left by a dead process, or naming a PID that now belongs to another program, is taken
/// over with a log line that says which.
/// </summary>
internal sealed class GatewayLock : IDisposable
{
    private readonly FileStream stream;
    private LockOwner owner;

    private GatewayLock(FileStream stream, LockOwner owner)
    {
        this.stream = stream;
        this.owner = owner;
    }

    /// <summary>Who this lock says owns the directory.</summary>
    public LockOwner Owner => owner;

    /// <summary>Tries once, without waiting, to take the lock at <paramref name="path"/>.</summary>
    /// <param name="path">The lock file.</param>
    /// <param name="port">The port to record (0 until bound).</param>
    /// <param name="bind">The bind address to record.</param>
    /// <param name="manager">Who supervises this process (<see cref="LockOwner.Manager"/>).</param>
    /// <param name="logger">Where a take-over is explained.</param>
    /// <param name="tokenFile">The token file this run reads (<see cref="LockOwner.TokenFile"/>), if any.</param>
    public static LockAttempt TryAcquire(string path, int port, string bind, string manager, ILogger logger, string? tokenFile = null)
    {
        var stream = AtomicFile.OpenLockFile(path);
        try
        {
            var previous = ReadAll(stream);
            if (!Posix.TryLockExclusive(stream.SafeFileHandle))
            {
                stream.Dispose();
                return new LockAttempt.Held(Parse(previous));
            }
            ExplainTakeover(previous, path, logger);
            var me = ProcessIdentity.Current;
            var gatewayLock = new GatewayLock(stream, new LockOwner(me.Pid, me.StartTime, port, bind, GatewayVersion.Current, DateTimeOffset.UtcNow, manager, tokenFile));
            gatewayLock.Write();
            return new LockAttempt.Acquired(gatewayLock);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads the owner recorded at <paramref name="path"/>; null when the file is missing, empty or corrupt.</summary>
    public static LockOwner? ReadOwner(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Records the port actually bound (the configured one may be 0).</summary>
    public void RecordPort(int port)
    {
        owner = owner with { Port = port };
        Write();
    }

    /// <summary>Empties the file and releases the lock. The file stays, so no other process can lock an unlinked inode.</summary>
    public void Dispose()
    {
        try
        {
            stream.SetLength(0);
        }
        catch (IOException)
        {
        }
        stream.Dispose();
    }

    private void Write()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(owner, ClaimJsonContext.Default.LockOwner);
        // Overwrite, then trim: the file is never seen empty while owned.
        RandomAccess.Write(stream.SafeFileHandle, bytes, fileOffset: 0);
        stream.SetLength(bytes.Length);
    }

    private static string ReadAll(FileStream stream)
    {
        var length = (int)Math.Min(stream.Length, 64 * 1024);
        var buffer = new byte[length];
        var read = RandomAccess.Read(stream.SafeFileHandle, buffer, fileOffset: 0);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static LockOwner? Parse(string content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(content, ClaimJsonContext.Default.LockOwner);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void ExplainTakeover(string previous, string path, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(previous))
        {
            return;
        }
        if (Parse(previous) is not { } stale)
        {
            ClaimLog.LockTakenOverCorrupt(logger, path);
            return;
        }
        switch (ProcessIdentity.Check(stale.Pid, stale.StartTime))
        {
            case ProcessMatch.Dead:
                ClaimLog.LockTakenOverDead(logger, stale.Pid, path);
                break;
            case ProcessMatch.Reused:
                ClaimLog.LockTakenOverReused(logger, stale.Pid, ProcessIdentity.CommandLine(stale.Pid) ?? "unknown", path);
                break;
            case ProcessMatch.Same:
                ClaimLog.LockTakenOverReleased(logger, stale.Pid, path);
                break;
        }
    }
}

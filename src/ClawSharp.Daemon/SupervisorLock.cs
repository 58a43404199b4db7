using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Daemon;

/// <summary>
/// At most one built-in supervisor per state directory: an open-file-description lock on
/// <c>supervisor.lock</c>, held for the supervisor's life and dropped by the kernel when it
/// dies. Whoever holds it is the only writer of <c>daemon.json</c>; the CLI takes it too before
/// it cleans up after a supervisor it had to kill.
/// </summary>
internal sealed class SupervisorLock : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(20);
    private readonly FileStream stream;

    private SupervisorLock(FileStream stream) => this.stream = stream;

    /// <summary>Takes the lock without waiting; null when a live supervisor holds it.</summary>
    public static SupervisorLock? TryAcquire(string path)
    {
        var stream = AtomicFile.OpenLockFile(path);
        if (Posix.TryLockExclusive(stream.SafeFileHandle))
        {
            return new SupervisorLock(stream);
        }
        stream.Dispose();
        return null;
    }

    /// <summary>
    /// Like <see cref="TryAcquire(string)"/>, retrying for up to <paramref name="wait"/>: a process
    /// that was just killed shows as a zombie before its last thread has let go of the lock.
    /// </summary>
    public static SupervisorLock? TryAcquire(string path, TimeSpan wait)
    {
        var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        var held = TryAcquire(path);
        while (held is null && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(RetryInterval);
            held = TryAcquire(path);
        }
        return held;
    }

    /// <summary>True when a live supervisor holds the lock (asked without taking it).</summary>
    public static bool IsHeld(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            return Posix.IsLockedByAnother(stream.SafeFileHandle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose() => stream.Dispose();
}

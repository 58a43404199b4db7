using System.Runtime.InteropServices;
using System.Text;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>
/// Linux: tells when a file of a directory was written and closed, created, renamed or deleted,
/// through inotify with exactly those events. Not <c>FileSystemWatcher</c>: it watches for
/// IN_MODIFY, which the kernel raises for every write to any file of the directory, and the
/// state directory holds <c>state.db-wal</c>, written at every commit; each write woke the
/// watcher's thread (measured: ~16% of the gateway's CPU under load). A file that is only
/// written while held open (the store, the lock, the log) raises nothing here; an editor that
/// saves in place closes the file (IN_CLOSE_WRITE), one that renames a temp file over it raises
/// IN_MOVED_TO.
/// </summary>
internal sealed partial class FileReplacementWatch : IDisposable
{
    private const int InNonBlockCloexec = 0x800 | 0x80000;
    private const uint InCloseWrite = 0x008;
    private const uint InMovedFrom = 0x040;
    private const uint InMovedTo = 0x080;
    private const uint InCreate = 0x100;
    private const uint InDelete = 0x200;
    private const uint InIgnored = 0x8000;
    private const int EventHeaderBytes = 16;
    private const short PollIn = 1;

    private readonly int descriptor;
    private readonly int watch;
    private readonly Action<string> changed;
    private readonly Thread reader;
    private volatile bool stopping;

    private FileReplacementWatch(int descriptor, int watch, Action<string> changed)
    {
        this.descriptor = descriptor;
        this.watch = watch;
        this.changed = changed;
        reader = new Thread(Read) { IsBackground = true, Name = "config watch" };
        reader.Start();
    }

    /// <summary>Watches <paramref name="directory"/>; <paramref name="changed"/> gets the name of each file written, replaced or removed.</summary>
    /// <exception cref="IOException">inotify is not available or the directory cannot be watched.</exception>
    public static FileReplacementWatch Start(string directory, Action<string> changed)
    {
        var descriptor = inotify_init1(InNonBlockCloexec);
        if (descriptor < 0)
        {
            throw new IOException($"inotify_init1 failed: errno {Marshal.GetLastPInvokeError()}");
        }
        var watch = inotify_add_watch(descriptor, directory, InCloseWrite | InMovedFrom | InMovedTo | InCreate | InDelete);
        if (watch < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Posix.Close(descriptor);
            throw new IOException($"inotify_add_watch({directory}) failed: errno {errno}");
        }
        return new FileReplacementWatch(descriptor, watch, changed);
    }

    public void Dispose()
    {
        stopping = true;
        // Removing the watch queues IN_IGNORED, which wakes the reader; it closes nothing itself.
        _ = inotify_rm_watch(descriptor, watch);
        if (Thread.CurrentThread != reader)
        {
            reader.Join(TimeSpan.FromSeconds(2));
        }
        Posix.Close(descriptor);
    }

    private void Read()
    {
        var buffer = new byte[4096];
        var poll = new PollDescriptor { Descriptor = descriptor, Events = PollIn };
        while (!stopping)
        {
            // A timeout, so that a stop is seen even if the wake-up event were lost.
            if (poll_one(ref poll, 1, 1000) <= 0)
            {
                continue;
            }
            var read = read_events(descriptor, buffer, buffer.Length);
            for (var offset = 0; read > 0 && offset + EventHeaderBytes <= read;)
            {
                var mask = BitConverter.ToUInt32(buffer, offset + 4);
                var length = BitConverter.ToInt32(buffer, offset + 12);
                if ((mask & InIgnored) == 0 && length > 0)
                {
                    var name = Encoding.UTF8.GetString(buffer, offset + EventHeaderBytes, length).TrimEnd('\0');
                    changed(name);
                }
                offset += EventHeaderBytes + length;
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short Returned;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int inotify_init1(int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int inotify_add_watch(int fd, string path, uint mask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int inotify_rm_watch(int fd, int wd);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int poll_one(ref PollDescriptor fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint read_events(int fd, Span<byte> buffer, nint count);
}

using System.Net.Sockets;
using System.Text;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>
/// Plays systemd's side of sd_notify for a process test: a Unix datagram socket bound to a path
/// in a fresh temp directory, whose datagrams are collected in arrival order. Start the gateway
/// with <see cref="Environment"/> (NOTIFY_SOCKET plus what the test adds) and wait on
/// <see cref="WaitForAsync"/>. Disposing it closes the socket and removes the directory.
/// </summary>
internal sealed class FakeNotifySocket : IAsyncDisposable
{
    private readonly Socket socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly CancellationTokenSource stop = new();
    private readonly Lock gate = new();
    private readonly List<Notification> received = [];
    private readonly string directory;
    private readonly Task receiving;

    public FakeNotifySocket()
    {
        // Short on purpose: a Unix socket path holds at most 107 bytes.
        directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cs-notify-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, "notify.sock");
        socket.Bind(new UnixDomainSocketEndPoint(Path));
        receiving = Task.Run(ReceiveAsync);
    }

    /// <summary>The socket's path, the value of NOTIFY_SOCKET.</summary>
    public string Path { get; }

    /// <summary>Every datagram so far, oldest first.</summary>
    public IReadOnlyList<Notification> Received
    {
        get
        {
            lock (gate)
            {
                return [.. received];
            }
        }
    }

    /// <summary>How many datagrams carried <paramref name="assignment"/> (e.g. <c>WATCHDOG=1</c>).</summary>
    public int Count(string assignment) => Received.Count(n => n.Has(assignment));

    /// <summary>NOTIFY_SOCKET and CLAWSHARP_SUPERVISOR=systemd, plus <paramref name="more"/>.</summary>
    public Dictionary<string, string> Environment(IReadOnlyDictionary<string, string>? more = null)
    {
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = Path, ["CLAWSHARP_SUPERVISOR"] = "systemd" };
        foreach (var (name, value) in more ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        return environment;
    }

    /// <summary>Waits for the first datagram at or after index <paramref name="from"/> that matches; returns its index. Fails the test on timeout.</summary>
    public async Task<int> WaitForAsync(Func<Notification, bool> match, TimeSpan timeout, string what, int from = 0)
    {
        var index = -1;
        await Eventually.AssertAsync(() =>
        {
            var all = Received;
            for (var i = from; i < all.Count; i++)
            {
                if (match(all[i]))
                {
                    index = i;
                    return true;
                }
            }
            return false;
        }, timeout, $"{what}; received so far: [{string.Join(" | ", Received.Select(n => n.Text.Replace('\n', ' ')))}]");
        return index;
    }

    /// <summary>Waits for a datagram that carries <paramref name="assignment"/>.</summary>
    public Task<int> WaitForAsync(string assignment, TimeSpan timeout, int from = 0) =>
        WaitForAsync(n => n.Has(assignment), timeout, $"a datagram with {assignment}", from);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        socket.Dispose();
        try
        {
            await receiving;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        stop.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        while (!stop.IsCancellationRequested)
        {
            var length = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
            var notification = new Notification(Encoding.UTF8.GetString(buffer, 0, length), DateTime.UtcNow);
            lock (gate)
            {
                received.Add(notification);
            }
        }
    }

    /// <summary>One datagram: newline-separated <c>NAME=VALUE</c> assignments, and when it arrived.</summary>
    internal sealed record Notification(string Text, DateTime At)
    {
        public IReadOnlyList<string> Assignments => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public bool Has(string assignment) => Assignments.Contains(assignment);

        /// <summary>The value of <paramref name="name"/>, or null.</summary>
        public string? Value(string name) =>
            Assignments.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
    }
}

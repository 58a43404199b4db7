using System.Diagnostics;
using System.Net;
using ClawSharp.Control.Client;
using ClawSharp.Daemon;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.SelfTest;

/// <summary>
/// The self-test's own gateway: a fresh temporary state directory (0700) on a free loopback port,
/// driven through this same binary (<c>gateway start|stop|restart --home SCRATCH</c>). It never
/// reads or writes the operator's state directory: every command it runs names the scratch
/// directory, and the <c>CLAWSHARP_*</c> and service-manager variables of the caller's environment
/// are removed from the children's. Every supervisor and gateway PID it sees is recorded, so
/// that the end can prove none is left, and kill any that is.
/// </summary>
internal sealed class ScratchGateway : IAsyncDisposable
{
    /// <summary>Variables of the caller's environment a child must not see: they would point it at another gateway or manager.</summary>
    private static readonly string[] ForeignVariables = ["NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID"];

    private readonly HashSet<ProcessIdentity> seen = [];
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
    private readonly bool keep;

    private ScratchGateway(StateDirectory state, int port, bool keep)
    {
        State = state;
        Port = port;
        this.keep = keep;
    }

    public StateDirectory State { get; }

    public int Port { get; }

    /// <summary>The control token, read once the first start has written it.</summary>
    public string? Token { get; private set; }

    /// <summary>Where the WebSocket clients connect.</summary>
    public GatewayTarget Target => new(new Uri($"ws://127.0.0.1:{Port}"), Token, null);

    public Uri MessagesUrl => new($"http://127.0.0.1:{Port}/v1/messages");

    /// <summary>The directory is mounted read-only over itself (the read-only log fault); unmounted before anything is deleted.</summary>
    public string? ReadOnlyMount { get; set; }

    /// <summary>Creates the scratch directory and its config: loopback, a free port, replies to loopback allowed, short backoffs and no restart cooldown, so that faults follow each other.</summary>
    public static ScratchGateway Create(bool keep)
    {
        var root = Directory.CreateTempSubdirectory("clawsharp-selftest-").FullName;
        var state = new StateDirectory(root);
        state.EnsureCreated();
        var port = FreePort.Loopback();
        File.WriteAllText(state.ConfigFile, ScratchConfig.Json(port));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(state.ConfigFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return new ScratchGateway(state, port, keep);
    }

    /// <summary>Runs <c>clawsharp ARGS --home SCRATCH</c> to its end (killed past <paramref name="timeout"/>).</summary>
    public async Task<CliOutcome> RunCliAsync(IReadOnlyList<string> args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = SelfCommand.StartInfo([.. args, "--home", State.Root]);
        foreach (var name in info.Environment.Keys.Where(IsForeign).ToList())
        {
            info.Environment.Remove(name);
        }
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("no process was started");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The command alone: what it started (a supervisor, in its own session) is found and ended by the cleanup.
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new CliOutcome(-1, "", $"clawsharp {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:F0} s");
        }
        finally
        {
            Observe();
        }
        return new CliOutcome(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>The verified supervisor and gateway of the scratch directory now (either may be null).</summary>
    public DaemonSnapshot Observe()
    {
        var snapshot = DaemonSnapshot.Take(State);
        lock (seen)
        {
            if (snapshot.Supervisor is { } supervisor)
            {
                seen.Add(supervisor);
            }
            if (snapshot.Gateway is { } gateway && ProcessIdentity.Of(gateway.Pid) is { } identity)
            {
                seen.Add(identity);
            }
            if (snapshot.StartingGateway is { } starting)
            {
                seen.Add(starting);
            }
        }
        return snapshot;
    }

    /// <summary>
    /// Waits until <c>/readyz</c> answers 200 and a WebSocket handshake names a boot other than
    /// <paramref name="notBootId"/> (a new generation); returns its boot id, or null past <paramref name="bound"/>.
    /// </summary>
    public async Task<string?> WaitReadyAsync(string? notBootId, TimeSpan bound, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < bound)
        {
            Observe();
            Token ??= TokenStore.TryRead(State);
            if (Token is not null && await ReadyzAsync(cancellationToken).ConfigureAwait(false)
                && await BootIdAsync(cancellationToken).ConfigureAwait(false) is { } boot && boot != notBootId)
            {
                return boot;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>The boot id of the generation serving now, or null when none answers a handshake.</summary>
    public async Task<string?> BootIdAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await using var client = await GatewayClient.ConnectAsync(Target, limit.Token).ConfigureAwait(false);
            return client.Hello.TryGetProperty("server", out var server) && server.TryGetProperty("bootId", out var boot) ? boot.GetString() : null;
        }
        catch (Exception e) when (e is GatewayCallException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Every process still alive that belongs to the scratch gateway: a recorded PID that is still
    /// the same process, or any process whose command line names the scratch directory.
    /// </summary>
    public IReadOnlyList<int> Survivors()
    {
        var alive = new SortedSet<int>();
        lock (seen)
        {
            foreach (var process in seen)
            {
                if (ProcessIdentity.Check(process.Pid, process.StartTime) == ProcessMatch.Same)
                {
                    alive.Add(process.Pid);
                }
            }
        }
        if (OperatingSystem.IsLinux())
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(directory), out var pid) && pid != Environment.ProcessId && ProcessIdentity.Of(pid) is not null
                    && ProcessIdentity.CommandLine(pid) is { } command && command.Contains(State.Root, StringComparison.Ordinal))
                {
                    alive.Add(pid);
                }
            }
        }
        return [.. alive];
    }

    /// <summary>How many distinct supervisor and gateway processes were seen.</summary>
    public int ProcessesSeen
    {
        get
        {
            lock (seen)
            {
                return seen.Count;
            }
        }
    }

    /// <summary>Stops the gateway (<c>gateway stop</c>), then SIGKILLs whatever of it is still alive; returns what had to be killed.</summary>
    public async Task<IReadOnlyList<int>> StopAsync(CancellationToken cancellationToken)
    {
        await RunCliAsync(["gateway", "stop", "--timeout", "20s"], TimeSpan.FromSeconds(40), cancellationToken).ConfigureAwait(false);
        var survivors = Survivors();
        foreach (var pid in survivors)
        {
            Posix.Kill(pid, Posix.SIGKILL);
        }
        return survivors;
    }

    public async ValueTask DisposeAsync()
    {
        // Whatever happened (a failure, Ctrl-C), nothing of the scratch gateway outlives the command.
        try
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            foreach (var pid in Survivors())
            {
                Posix.Kill(pid, Posix.SIGKILL);
            }
        }
        if (ReadOnlyMount is { } mount)
        {
            ReadOnlyLogDirectory.Unmount(mount);
        }
        http.Dispose();
        if (!keep)
        {
            try
            {
                Directory.Delete(State.Root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the operator: the message at the end names the directory.
            }
        }
    }

    private static bool IsForeign(string name) =>
        name.StartsWith("CLAWSHARP_", StringComparison.Ordinal) || ForeignVariables.Contains(name, StringComparer.Ordinal);

    private async Task<bool> ReadyzAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{Port}/readyz"), cancellationToken).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}


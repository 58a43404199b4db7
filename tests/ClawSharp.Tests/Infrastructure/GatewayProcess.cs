using System.Diagnostics;
using System.Net;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>
/// A real clawsharp process started by a test. Disposing it kills it if it is still running
/// and waits for it, so no test leaves a process behind; it also kills any gateway a fresh-PID
/// respawn started for the same home (the PID the home's lock names, once verified, and any
/// other process whose command line names the home).
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Process process;

    private GatewayProcess(Process process, TempHome home)
    {
        this.process = process;
        Home = home;
    }

    public TempHome Home { get; }
    public int Pid => process.Id;
    public OutputLog Stdout { get; } = new();
    public OutputLog Stderr { get; } = new();
    public bool HasExited => process.HasExited;

    /// <summary>Both streams, for failure messages.</summary>
    public string AllOutput => $"--- stdout ---\n{Stdout.Text}\n--- stderr ---\n{Stderr.Text}";

    /// <summary>Starts <c>clawsharp ARGS --home HOME</c>.</summary>
    public static GatewayProcess Start(TempHome home, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(home, ClawSharpStartInfo.Create([.. args, "--home", home.Root], environment));

    /// <summary>Starts <c>LAUNCHER LAUNCHER-ARGS clawsharp ARGS --home HOME</c>, for a launcher that execs clawsharp (<see cref="ClawSharpStartInfo.CreateLaunched"/>).</summary>
    public static GatewayProcess StartLaunched(TempHome home, string launcher, IEnumerable<string> launcherArgs, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null) =>
        Start(home, ClawSharpStartInfo.CreateLaunched(launcher, launcherArgs, [.. args, "--home", home.Root], environment));

    /// <summary>Starts <c>PROGRAM ARGS --home HOME</c> and waits for /readyz: another binary than this build's (a release build).</summary>
    public static async Task<GatewayProcess> StartProgramAsync(string program, TempHome home, IEnumerable<string> args)
    {
        var gateway = Start(home, ClawSharpStartInfo.Create(program, [.. args, "--home", home.Root], null));
        try
        {
            await gateway.WaitForReadyAsync();
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process <paramref name="info"/> describes as this home's gateway.</summary>
    public static GatewayProcess Start(TempHome home, ProcessStartInfo info)
    {
        var process = new Process { StartInfo = info };
        var gateway = new GatewayProcess(process, home);
        process.OutputDataReceived += (_, e) => gateway.Stdout.Add(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.Stderr.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gateway;
    }

    /// <summary>Starts <c>clawsharp gateway run --port 0</c> plus <paramref name="extraArgs"/> and waits for /readyz.</summary>
    public static async Task<GatewayProcess> StartGatewayAsync(TempHome home, IEnumerable<string>? extraArgs = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var gateway = Start(home, ["gateway", "run", "--port", "0", .. extraArgs ?? []], environment);
        try
        {
            await gateway.WaitForReadyAsync();
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>The port this process recorded in its lock (0 until it has bound).</summary>
    public int Port
    {
        get
        {
            var owner = GatewayLock.ReadOwner(Home.State.LockFile);
            return owner is not null && owner.Pid == Pid ? owner.Port : 0;
        }
    }

    public Uri HttpUrl(string path) => new($"http://127.0.0.1:{Port}{path}");

    /// <summary>Waits until the lock names this process and /readyz answers 200.</summary>
    public async Task WaitForReadyAsync()
    {
        var ready = await Eventually.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                return true;
            }
            return Port != 0 && await StatusOfAsync("/readyz") == HttpStatusCode.OK;
        }, StartTimeout);
        Assert.True(ready && !process.HasExited, $"gateway did not become ready (exited: {process.HasExited}).\n{AllOutput}");
    }

    /// <summary>The status code of a GET, or null when nothing answers.</summary>
    public async Task<HttpStatusCode?> StatusOfAsync(string path, int? port = null)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{port ?? Port}{path}"));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    public void Signal(int signal) => Posix.Kill(Pid, signal);

    /// <summary>The gateway the home's lock names, when that process is alive and still the one that wrote the lock.</summary>
    public LockOwner? LiveLockOwner
    {
        get
        {
            var owner = GatewayLock.ReadOwner(Home.State.LockFile);
            return owner is not null && ProcessIdentity.Check(owner.Pid, owner.StartTime) == ProcessMatch.Same ? owner : null;
        }
    }

    /// <summary>
    /// Waits for this process to exit and returns the code, without waiting for the end of its
    /// output: a respawned child inherits stdout and stderr and keeps them open. Fails on timeout.
    /// </summary>
    public async Task<int> WaitForProcessExitAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        Assert.True(await Eventually.UntilAsync(() => process.HasExited, limit), $"process {Pid} did not exit in time.\n{AllOutput}");
        return process.ExitCode;
    }

    /// <summary>Waits for the exit and returns the code; fails the test on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"process {Pid} did not exit in time.\n{AllOutput}");
        }
        // Let the asynchronous readers reach the end of both streams.
        process.WaitForExit();
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        KillRespawnedGateways();
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(cts.Token);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    /// <summary>SIGKILLs the respawned gateways of this home: they are not this process's children once it has exited.</summary>
    private void KillRespawnedGateways()
    {
        var homeArgument = $"--home {Home.Root}";
        if (LiveLockOwner is { } owner && owner.Pid != Pid
            && ProcessIdentity.CommandLine(owner.Pid) is { } commandLine && commandLine.Contains(homeArgument, StringComparison.Ordinal))
        {
            Posix.Kill(owner.Pid, Posix.SIGKILL);
        }
        // A child that never took the lock (still starting, or hanging on purpose).
        StrayProcesses.Kill(homeArgument, except: Pid);
    }
}

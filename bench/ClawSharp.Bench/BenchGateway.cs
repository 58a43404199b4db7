using System.Diagnostics;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Bench;

/// <summary>A gateway process started for a benchmark, in a throw-away state directory.</summary>
internal sealed class BenchGateway : IAsyncDisposable
{
    private readonly Process process;

    private BenchGateway(Process process, StateDirectory state, int port)
    {
        this.process = process;
        State = state;
        Port = port;
    }

    public StateDirectory State { get; }
    public int Port { get; }
    public int Pid => process.Id;
    public string Token => TokenStore.TryRead(State)!;

    /// <summary>Replaces a mode's config.json for one run (e.g. <c>{"logs":{"level":"warning"},"store":{"durability":"fast"}}</c>).</summary>
    public const string ConfigVariable = "CLAWSHARP_BENCH_CONFIG";

    public static async Task<BenchGateway> StartAsync(string binary, string configJson)
    {
        configJson = Environment.GetEnvironmentVariable(ConfigVariable) ?? configJson;
        var root = Path.Combine(Path.GetTempPath(), "clawsharp-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var state = new StateDirectory(root);
        File.WriteAllText(state.ConfigFile, configJson);
        var info = new ProcessStartInfo(binary, ["gateway", "run", "--home", root, "--port", "0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            // The gateway's one definition of ready: the lock names this process and /readyz answers 200.
            if (await GatewayReadiness.ReadyPortAsync(state, process.Id, CancellationToken.None) is { } port)
            {
                return new BenchGateway(process, state, port);
            }
            await Task.Delay(20);
        }
        process.Kill();
        throw new InvalidOperationException("gateway did not start");
    }

    /// <summary>The pid that owns the lock now: after a fresh-PID respawn, not the one started here.</summary>
    public int CurrentPid => GatewayLock.ReadOwner(State.LockFile)?.Pid ?? Pid;

    public async ValueTask DisposeAsync()
    {
        // A respawned gateway (a fresh PID) is not this process: kill the lock's owner too.
        if (GatewayLock.ReadOwner(State.LockFile) is { } owner && owner.Pid != process.Id)
        {
            await KillStrayAsync(owner.Pid);
        }
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try
        {
            Directory.Delete(State.Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"could not delete {State.Root}: {e.Message}");
        }
    }

    private static async Task KillStrayAsync(int pid)
    {
        try
        {
            using var stray = Process.GetProcessById(pid);
            if (!stray.ProcessName.Contains("clawsharp", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
            stray.Kill();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await stray.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Gone already (or not ours to wait for).
        }
    }
}

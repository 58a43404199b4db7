using System.Diagnostics;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

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

    public static async Task<BenchGateway> StartAsync(string binary, string configJson)
    {
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
            if (GatewayLock.ReadOwner(state.LockFile) is { Port: > 0 } owner && owner.Pid == process.Id
                && await HealthProbe.IsHealthyAsync(System.Net.IPAddress.Loopback, owner.Port, TimeSpan.FromSeconds(1)))
            {
                return new BenchGateway(process, state, owner.Port);
            }
            await Task.Delay(20);
        }
        process.Kill();
        throw new InvalidOperationException("gateway did not start");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
        Directory.Delete(State.Root, recursive: true);
    }
}

using System.Net;
using System.Net.Sockets;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// systemd socket activation with the real <c>systemd-socket-activate</c>: it binds the port,
/// waits for the first connection, then execs the gateway (same PID) with <c>LISTEN_PID</c>,
/// <c>LISTEN_FDS</c> and <c>LISTEN_FDNAMES</c> set, as systemd does for a service with a socket unit.
/// </summary>
public sealed class SocketActivationProcessTests
{
    private const string Launcher = "/usr/bin/systemd-socket-activate";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheSocketSystemdPassed_IsAdopted_HiddenFromChildren_AndKeptAcrossAnInProcessRestart()
    {
        using var home = new TempHome();
        // Tells whether an exec agent sees the activation variables or inherits a socket.
        home.WriteConfig("""
            { "agents": { "default": "exec", "exec": { "command": "cat >/dev/null; printf '%s ' \"${LISTEN_PID:-none}${LISTEN_FDS:-}${LISTEN_FDNAMES:-}\"; for f in /proc/$$/fd/*; do readlink $f; done | grep -c socket || true" } } }
            """);
        var port = FreePort();
        await using var gateway = await StartActivatedAsync(home, port, port);

        await Eventually.AssertAsync(async () => await gateway.StatusOfAsync("/readyz", port) == HttpStatusCode.OK, Deadline, "/readyz 200 on the activated port");
        await gateway.Stdout.WaitForAsync(
            $"adopted the listening socket 127.0.0.1:{port} from systemd socket activation: fd 3 (clawsharp) of 1 passed", Deadline);
        var owner = GatewayLock.ReadOwner(home.State.LockFile)!;
        Assert.Equal((gateway.Pid, port), (owner.Pid, owner.Port));
        var agent = await CliRun.RunAsync(home, "send", "hi", "--wait");
        Assert.True(agent.ExitCode == 0, agent.ToString());
        Assert.Equal("none 0", agent.Stdout.Trim());

        gateway.Signal(Posix.SIGUSR1);

        await gateway.Stdout.WaitForAsync("gateway restarted in process", Deadline);
        await Eventually.AssertAsync(async () => await gateway.StatusOfAsync("/readyz", port) == HttpStatusCode.OK, Deadline, "/readyz 200 after the restart");
        Assert.False(gateway.HasExited);
        Assert.Single(gateway.Stdout.Lines, l => l.Contains("from systemd socket activation", StringComparison.Ordinal));
        Assert.DoesNotContain("cannot listen", gateway.AllOutput);
    }

    [Fact]
    public async Task ASocketOnAnotherPortThanTheConfiguration_IsAStaleSocketUnit_Exit78_AndNothingElseIsBound()
    {
        using var home = new TempHome();
        var socketPort = FreePort();
        var configuredPort = FreePort();
        await using var gateway = await StartActivatedAsync(home, socketPort, configuredPort);

        // The first connection makes systemd-socket-activate exec the gateway; nothing ever answers it.
        using var trigger = new TcpClient();
        await trigger.ConnectAsync(IPAddress.Loopback, socketPort);

        Assert.Equal(78, await gateway.WaitForExitAsync());
        Assert.Contains(
            $"cannot serve on the socket systemd passed (fd 3 (clawsharp)): it is bound to 127.0.0.1:{socketPort} but the configuration asks for 127.0.0.1:{configuredPort}. "
            + "The socket unit is stale: rerun 'clawsharp gateway install --force'.", gateway.AllOutput);
        Assert.Null(await gateway.StatusOfAsync("/healthz", configuredPort));
        Assert.Null(GatewayLock.ReadOwner(home.State.LockFile));
    }

    /// <summary>Starts the launcher on <paramref name="socketPort"/> for a gateway configured with <paramref name="configuredPort"/>; returns once it listens.</summary>
    private static async Task<GatewayProcess> StartActivatedAsync(TempHome home, int socketPort, int configuredPort)
    {
        Assert.True(File.Exists(Launcher), $"{Launcher} is missing (apt-get install systemd)");
        var gateway = GatewayProcess.StartLaunched(home, Launcher,
            ["-l", $"127.0.0.1:{socketPort}", "--fdname=clawsharp", "-E", "CLAWSHARP_NO_RESPAWN=1"],
            ["gateway", "run", "--port", configuredPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        try
        {
            await gateway.Stderr.WaitForAsync($"Listening on 127.0.0.1:{socketPort} as 3.", Deadline);
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}

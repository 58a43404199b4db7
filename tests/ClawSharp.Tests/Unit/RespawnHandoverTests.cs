using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Respawn;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

public sealed class RespawnHandoverTests
{
    [Fact]
    public void SpawnOrigin_ReadsTheMarkerAndTheSocket_AndClearsAllThreeVariables()
    {
        var environment = new Dictionary<string, string?>
        {
            ["CLAWSHARP_SPAWNED_BY"] = "4242",
            ["CLAWSHARP_LISTEN_FD"] = "7",
            ["CLAWSHARP_LISTEN_ENDPOINT"] = "127.0.0.1:18790",
        };

        var origin = SpawnOrigin.TakeFromEnvironment(name => environment.GetValueOrDefault(name), name => environment.Remove(name));

        Assert.Equal(new SpawnOrigin(4242, new InheritedListener(7, IPEndPoint.Parse("127.0.0.1:18790"))), origin);
        Assert.Empty(environment);
    }

    [Theory]
    // Without a respawn marker, a well-formed socket is one a supervisor handed down.
    [InlineData(null, "7", "127.0.0.1:1", true, true)]
    [InlineData("x", "7", "127.0.0.1:1", true, true)]
    [InlineData(null, null, null, false, false)]
    [InlineData(null, "7", "nowhere", false, false)]
    [InlineData("12", null, null, true, false)]
    [InlineData("12", "2", "127.0.0.1:1", true, false)]
    [InlineData("12", "7", "nowhere", true, false)]
    [InlineData("12", "7", "[::1]:80", true, true)]
    public void SpawnOrigin_TrustsOnlyWellFormedValues(string? spawnedBy, string? fd, string? endpoint, bool spawned, bool withListener)
    {
        var environment = new Dictionary<string, string?>
        {
            ["CLAWSHARP_SPAWNED_BY"] = spawnedBy,
            ["CLAWSHARP_LISTEN_FD"] = fd,
            ["CLAWSHARP_LISTEN_ENDPOINT"] = endpoint,
        };

        var origin = SpawnOrigin.TakeFromEnvironment(name => environment.GetValueOrDefault(name), name => environment.Remove(name));

        Assert.Equal(spawned, origin is not null);
        Assert.Equal(withListener, origin?.Listener is not null);
        Assert.Equal(int.TryParse(spawnedBy, out _), origin?.Respawned == true);
        Assert.Empty(environment);
    }

    [Fact]
    public void SpawnOrigin_FromASupervisorThatHandedNoSocketDown_StillCarriesTheRestartReason()
    {
        // The supervisor could not bind the port (the gateway binds it itself), yet it started this
        // process after its previous gateway's exit 75: the restart is counted all the same.
        var environment = new Dictionary<string, string?> { ["CLAWSHARP_RESTART_REASON"] = "config changed" };

        var origin = SpawnOrigin.TakeFromEnvironment(name => environment.GetValueOrDefault(name), name => environment.Remove(name));

        Assert.NotNull(origin);
        Assert.Null(origin.Listener);
        Assert.False(origin.Respawned);
        Assert.Equal("config changed", origin.RestartReason);
        Assert.Empty(environment);
    }

    [Fact]
    public void TryAdopt_TakesAListeningSocketOnTheNamedEndpoint_AndMakesItCloseOnExec()
    {
        using var original = ListenSocket.Bind(IPAddress.Loopback, 0);
        var fd = original.DuplicateForChild();

        using var adopted = ListenSocket.TryAdopt(new InheritedListener(fd, original.Endpoint), IPAddress.Loopback, 0, out var problem);

        Assert.Null(problem);
        Assert.NotNull(adopted);
        Assert.Equal(original.Endpoint, adopted.Endpoint);
        Assert.True(adopted.Serves(IPAddress.Loopback, original.Endpoint.Port));
        Assert.True(IsCloseOnExec(fd));
    }

    [Fact]
    public void TryAdopt_ClosesASocketForAnotherPort()
    {
        using var original = ListenSocket.Bind(IPAddress.Loopback, 0);
        var fd = original.DuplicateForChild();
        var otherPort = original.Endpoint.Port == 65535 ? 65534 : original.Endpoint.Port + 1;
        var socketBefore = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;

        var adopted = ListenSocket.TryAdopt(new InheritedListener(fd, original.Endpoint), IPAddress.Loopback, otherPort, out var problem);

        Assert.Null(adopted);
        Assert.Equal($"it is bound to {original.Endpoint} but the configuration asks for 127.0.0.1:{otherPort}", problem);
        // Closed: the number no longer names that socket (another test may have reused the number since).
        Assert.NotEqual(socketBefore, new FileInfo($"/proc/self/fd/{fd}").LinkTarget);
    }

    [Fact]
    public void TryAdopt_RefusesADescriptorThatIsNotAListeningSocket()
    {
        using var unbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        unbound.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var fd = Posix.DuplicateInheritable((int)unbound.SafeHandle.DangerousGetHandle(), 3);

        var adopted = ListenSocket.TryAdopt(new InheritedListener(fd, (IPEndPoint)unbound.LocalEndPoint!), IPAddress.Loopback, 0, out var problem);

        Assert.Null(adopted);
        Assert.Equal("it is not a listening TCP socket", problem);
    }

    [Theory]
    [InlineData("/usr/bin/clawsharp", new[] { "/usr/bin/clawsharp", "gateway", "run", "--port", "0" }, new[] { "gateway", "run", "--port", "0" })]
    [InlineData("/usr/share/dotnet/dotnet", new[] { "/app/clawsharp.dll", "gateway", "run" }, new[] { "/app/clawsharp.dll", "gateway", "run" })]
    public void SameArguments_DropOnlyTheProgramPath(string processPath, string[] commandLine, string[] expected)
    {
        Assert.Equal(expected, FreshProcessSpawner.SameArguments(processPath, commandLine));
    }

    [Theory]
    [InlineData(new[] { "gateway", "run", "--home", "/h", "--port", "0" }, new[] { "gateway", "supervise", "--home", "/h", "--port", "0" })]
    [InlineData(new[] { "/app/clawsharp.dll", "gateway", "run" }, new[] { "/app/clawsharp.dll", "gateway", "supervise" })]
    [InlineData(new[] { "--home", "/h", "gateway", "run", "--bind", "run" }, new[] { "--home", "/h", "gateway", "supervise", "--bind", "run" })]
    public void SupervisorRespawnArguments_AreTheGatewaysWithSuperviseForRun(string[] arguments, string[] expected)
    {
        Assert.Equal(expected, SupervisorRespawn.Arguments(arguments));
    }

    [Fact]
    public void SupervisorRespawnArguments_OfACommandLineWithoutGatewayRun_AreNull()
    {
        Assert.Null(SupervisorRespawn.Arguments(["gateway", "start", "--port", "0"]));
    }

    [Fact]
    public void UpdateFailure_IsWrittenPrivately_InTheDocumentedShape_AndCleared()
    {
        using var home = new TempHome();
        var at = DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture);

        UpdateFailureStore.Write(home.State, new UpdateFailure(at, "child-not-ready", 77, "the fresh process (pid 77) was not ready within 10000 ms"));

        Assert.Equal(Path.Combine(home.Root, "update-failed.json"), home.State.UpdateFailedFile);
        Assert.Equal(AtomicFile.PrivateFileMode, File.GetUnixFileMode(home.State.UpdateFailedFile));
        var json = JsonDocument.Parse(File.ReadAllText(home.State.UpdateFailedFile)).RootElement;
        Assert.Equal("2026-01-02T03:04:05+00:00", json.GetProperty("at").GetString());
        Assert.Equal("child-not-ready", json.GetProperty("reason").GetString());
        Assert.Equal(77, json.GetProperty("childPid").GetInt32());
        Assert.Equal(new UpdateFailure(at, "child-not-ready", 77, "the fresh process (pid 77) was not ready within 10000 ms"), UpdateFailureStore.Read(home.State));
        UpdateFailureStore.Clear(home.State);
        Assert.Null(UpdateFailureStore.Read(home.State));
    }

    private static bool IsCloseOnExec(int fd)
    {
        const int OCloexec = 0x80000; // 02000000 octal
        var line = File.ReadAllLines($"/proc/self/fdinfo/{fd}").Single(l => l.StartsWith("flags:", StringComparison.Ordinal));
        return (Convert.ToInt32(line["flags:".Length..].Trim(), 8) & OCloexec) != 0;
    }
}

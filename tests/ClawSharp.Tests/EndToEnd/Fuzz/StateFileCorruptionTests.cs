using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd.Fuzz;

/// <summary>
/// Each state file corrupted in turn (garbage bytes, or cut short), and a state directory that
/// does not exist: <c>gateway status</c>, <c>stop</c> and <c>run</c> give a clear message (no stack
/// trace, one JSON document under --json) and a safe outcome. The finer cases (a corrupt
/// daemon.json, lock, config or store) have their own tests in DaemonTests, GatewayLockProcessTests,
/// DoctorTests and WorkModelTests; this table checks the CLI's contract over all of them.
/// </summary>
public sealed class StateFileCorruptionTests(StateFileCorruptionTests.Template template) : IClassFixture<StateFileCorruptionTests.Template>
{
    /// <summary>A real set of state files, made once: a gateway that ran, accepted a message and stopped.</summary>
    public sealed class Template : IAsyncLifetime
    {
        internal TempHome Home { get; } = new();

        public async Task InitializeAsync()
        {
            await using var first = await GatewayProcess.StartGatewayAsync(Home);
            await CliRun.CallAsync(Home, "chat.send", """{"sessionKey":"s","message":"keep me","idempotencyKey":"k1"}""");
            first.Signal(ClawSharp.Gateway.Infrastructure.Posix.SIGTERM);
            Assert.Equal(0, await first.WaitForExitAsync());
            // The files a supervised gateway leaves too, so that each can be spoiled.
            File.WriteAllText(Home.State.DaemonStateFile, """{"state":"stopped"}""");
            File.WriteAllText(Home.State.SupervisorLockFile, "");
            File.WriteAllText(Home.PathOf("restart-intent.json"), """{"force":false}""");
            File.WriteAllText(Home.State.RestartingFile, """{"pid":999999}""");
            if (!File.Exists(Home.State.ConfigFile))
            {
                File.WriteAllText(Home.State.ConfigFile, """{ "gateway": { "port": 0 } }""");
            }
        }

        public Task DisposeAsync()
        {
            Home.Dispose();
            return Task.CompletedTask;
        }

        /// <summary>Copies the template's files into <paramref name="home"/>.</summary>
        internal void CopyTo(TempHome home)
        {
            foreach (var file in Directory.EnumerateFiles(Home.Root, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(home.Root, Path.GetRelativePath(Home.Root, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }
    }

    public static TheoryData<string, bool> Files() => new()
    {
        { "daemon.json", false }, { "daemon.json", true },
        { "gateway.lock", false }, { "gateway.lock", true },
        { "supervisor.lock", false }, { "supervisor.lock", true },
        { "restart-intent.json", false }, { "restart-intent.json", true },
        { "restarting.json", false }, { "restarting.json", true },
        { "config.json", false }, { "config.json", true },
        { "state.db", false }, { "state.db", true },
        { "token", false }, { "token", true },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task ACorruptStateFile_GetsClearAnswers_FromStatusStopAndRun(string file, bool truncated)
    {
        using var home = new TempHome();
        template.CopyTo(home);
        Spoil(home.PathOf(file), truncated, file);
        var spoiled = File.ReadAllBytes(home.PathOf(file));

        var status = await CliRun.RunAsync(home, "gateway", "status", "--json");
        AssertClear(status, "status --json");
        Assert.Contains(status.ExitCode, new[] { 0, 1, 3 });
        OneDocument(status);

        var stop = await CliRun.RunAsync(home, "gateway", "stop", "--json");
        AssertClear(stop, "stop --json");
        Assert.Equal(0, stop.ExitCode);
        Assert.Equal("not-running", OneDocument(stop).GetProperty("result").GetString());

        // A start either serves (the file is replaced or not needed) or refuses with a message naming the problem.
        await using var gateway = GatewayProcess.Start(home, ["gateway", "run", "--port", "0"]);
        var served = await Eventually.UntilAsync(async () => gateway.HasExited || await gateway.StatusOfAsync("/readyz") == System.Net.HttpStatusCode.OK,
            GatewayProcess.StartTimeout);
        Assert.True(served, $"{file}: neither served nor exited\n{gateway.AllOutput}");
        Assert.DoesNotContain("Unhandled exception", gateway.AllOutput);
        Assert.DoesNotContain("   at ClawSharp", gateway.AllOutput);
        if (gateway.HasExited)
        {
            Assert.NotEqual(0, await gateway.WaitForExitAsync());
            Assert.Contains(file, gateway.AllOutput);
            // A refused start leaves the spoiled file for the operator: a store is never replaced by an empty one.
            Assert.Equal(spoiled, File.ReadAllBytes(home.PathOf(file)));
        }
        else
        {
            // Nothing accepted was lost: the message sent before the corruption is still in the history (unless the store itself was spoiled).
            var history = await CliRun.CallAsync(home, "chat.history", """{"sessionKey":"s"}""");
            if (file != "state.db")
            {
                Assert.Contains("keep me", history.ToString());
            }
            gateway.Signal(ClawSharp.Gateway.Infrastructure.Posix.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync());
        }
    }

    [Theory]
    [InlineData("gateway.lock")]
    [InlineData("daemon.json")]
    [InlineData("restart-intent.json")]
    [InlineData("restarting.json")]
    [InlineData("config.json")]
    [InlineData("token")]
    public async Task ACorruptStateFile_UnderARunningGateway_NeitherStopsNorHidesIt(string file)
    {
        using var home = new TempHome();
        template.CopyTo(home);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var port = gateway.Port;
        Spoil(home.PathOf(file), truncated: false, file);

        var status = await CliRun.RunAsync(home, "gateway", "status", "--json");
        AssertClear(status, "status --json");
        var verdict = OneDocument(status);
        if (file == "gateway.lock")
        {
            // The lock is still held: not "stopped", and nobody is signalled on a guess.
            Assert.Equal(1, status.ExitCode);
            Assert.Equal("unreachable", verdict.GetProperty("status").GetString());
            var stop = await CliRun.RunAsync(home, "gateway", "stop", "--json");
            AssertClear(stop, "stop --json");
            Assert.Equal(1, stop.ExitCode);
            Assert.Contains("does not name it", OneDocument(stop).ToString());
            var restart = await CliRun.RunAsync(home, "gateway", "restart", "--json");
            AssertClear(restart, "restart --json");
            Assert.False(OneDocument(restart).GetProperty("ok").GetBoolean());
        }
        else if (file == "token")
        {
            // The CLI presents the spoiled token and is refused: not answered, and stderr says why.
            Assert.Equal(1, status.ExitCode);
            Assert.Equal("unreachable", verdict.GetProperty("status").GetString());
            Assert.Contains("token", status.Stderr);
        }
        else
        {
            Assert.True(status.ExitCode == 0, status.ToString());
            Assert.Equal("running", verdict.GetProperty("status").GetString());
        }
        Assert.False(gateway.HasExited, gateway.AllOutput);
        Assert.Equal(System.Net.HttpStatusCode.OK, await gateway.StatusOfAsync("/readyz", port));
        gateway.Signal(ClawSharp.Gateway.Infrastructure.Posix.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync());
    }

    public static TheoryData<string[]> CommandsOnAMissingHome() => new()
    {
        new[] { "gateway", "stop" },
        new[] { "gateway", "stop", "--json" },
        new[] { "gateway", "status" },
        new[] { "gateway", "status", "--json" },
        new[] { "gateway", "restart" },
        new[] { "gateway", "restart", "--json" },
        new[] { "gateway", "logs" },
        new[] { "doctor" },
        new[] { "doctor", "--json" },
        new[] { "config", "get", "gateway.port" },
        new[] { "tasks", "list" },
        new[] { "gateway", "call", "health" },
    };

    [Theory]
    [MemberData(nameof(CommandsOnAMissingHome))]
    public async Task AStateDirectoryThatDoesNotExist_GetsAClearAnswer_NoStackTrace(string[] command)
    {
        using var parent = new TempHome();
        var missing = parent.PathOf("no-such-home");
        var result = await CliRun.RunAsync([.. command, "--home", missing]);
        AssertClear(result, string.Join(' ', command));
        if (command.Contains("--json"))
        {
            OneDocument(result);
        }
        if (command is ["gateway", "stop", ..])
        {
            Assert.Equal(0, result.ExitCode);
            Assert.Contains(command.Contains("--json") ? "not-running" : "not running", result.Stdout + result.Stderr);
        }
    }

    private static void Spoil(string path, bool truncated, string file)
    {
        if (truncated)
        {
            var bytes = File.Exists(path) ? File.ReadAllBytes(path) : """{"pid": 12""".Select(c => (byte)c).ToArray();
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            return;
        }
        var garbage = new byte[file == "state.db" ? 8192 : 300];
        new Random(20).NextBytes(garbage);
        File.WriteAllBytes(path, garbage);
    }

    private static void AssertClear(CliResult result, string what)
    {
        Assert.DoesNotContain("Unhandled exception", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout);
        Assert.True(result.ExitCode is >= 0 and < 128, $"{what}: {result}");
    }

    private static JsonElement OneDocument(CliResult result)
    {
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }
}

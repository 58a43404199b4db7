using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>Several processes writing one log directory (issue 17, item 5): whole JSON lines only, none lost, none in the wrong log.</summary>
public sealed class SharedLogFilesTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task GatewaysSharingOneLogDirectory_RotateIt_LeaveOnlyWholeJsonLines_AndLoseNone()
    {
        // Three gateways on three state directories whose logs/ is one directory (a symlink each):
        // three writers of gateway.log that rotate it under each other.
        using var shared = new TempHome();
        var logs = shared.PathOf("logs");
        Directory.CreateDirectory(logs);
        var homes = Enumerable.Range(0, 3).Select(_ => new TempHome()).ToList();
        var gateways = new List<GatewayProcess>();
        try
        {
            foreach (var home in homes)
            {
                Directory.CreateSymbolicLink(home.State.LogsDirectory, logs);
                home.WriteConfig("""{ "logs": { "maxFileBytes": 4096, "maxBackups": 1000, "level": "debug" } }""");
                gateways.Add(await GatewayProcess.StartGatewayAsync(home));
            }
            const int Requests = 150;
            var connIds = await Task.WhenAll(gateways.Select(g => HealthRequestsAsync(g, Requests)));

            // Every request's line is in some file, exactly once, whoever rotated meanwhile.
            await Eventually.AssertAsync(() =>
            {
                var lines = AllLines(logs);
                return connIds.All(id => lines.Count(l => l.Contains($"(conn {id})") && l.Contains("rpc health ok")) == Requests);
            }, Deadline, "every rpc line of every gateway in the shared logs");
            Assert.True(Directory.GetFiles(logs, "gateway.*.log").Length >= 3, "the shared file rotated several times");
        }
        finally
        {
            foreach (var gateway in gateways)
            {
                await gateway.DisposeAsync();
            }
            homes.ForEach(h => h.Dispose());
        }
        AssertOnlyWholeJsonLines(logs);
    }

    [Fact]
    public async Task RefusedDuplicates_WriteTheRefusalToTheirStderr_NotIntoTheServingGatewaysLog()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "logs": { "level": "debug" } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var linesBefore = AllLines(home.State.LogsDirectory).Count;

        var duplicates = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => CliRun.RunAsync(home, "gateway", "run", "--port", "0")));

        Assert.All(duplicates, d =>
        {
            Assert.True(d.ExitCode == 1, d.ToString());
            Assert.Contains($"gateway already running (pid {gateway.Pid}", d.Stderr);
        });
        await CliRun.CallAsync(home, "health");
        var lines = AllLines(home.State.LogsDirectory);
        Assert.DoesNotContain(lines, l => l.Contains("already running"));
        Assert.True(lines.Count > linesBefore, "the serving gateway keeps writing its log");
        AssertOnlyWholeJsonLines(home.State.LogsDirectory);
    }

    [Fact]
    public async Task FreshPidRespawn_ParentAndChildAppendToOneLog_LeavingOnlyWholeJsonLines()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "logs": { "maxFileBytes": 8192, "maxBackups": 1000, "level": "debug" } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var port = gateway.Port;
        using var probes = new ConnectLoop(port);
        await Eventually.AssertAsync(() => probes.Answered > 0, Deadline, "the connect loop to reach the old gateway");

        gateway.Signal(Posix.SIGUSR1);

        Assert.Equal(0, await gateway.WaitForProcessExitAsync(Deadline));
        var child = gateway.LiveLockOwner;
        Assert.True(child is not null, "the lock names no live gateway.\n" + gateway.AllOutput);
        var answeredAtHandover = probes.Answered;
        await Eventually.AssertAsync(() => probes.Answered > answeredAtHandover + 20, Deadline, "the connect loop to reach the new gateway");
        probes.Stop();
        await CliRun.CallAsync(home, "health");

        var lines = AllLines(home.State.LogsDirectory);
        Assert.Contains(lines, l => l.Contains($"fresh process pid {child.Pid} is ready"));
        Assert.Contains(lines, l => l.Contains($"took over the listening socket 127.0.0.1:{port}"));
        AssertOnlyWholeJsonLines(home.State.LogsDirectory);
    }

    private static async Task<string> HealthRequestsAsync(GatewayProcess gateway, int count)
    {
        var (client, hello) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(gateway.Home.State)!);
        await using var _ = client;
        for (var i = 0; i < count; i++)
        {
            await client.RequestAsync("health");
        }
        return hello.GetProperty("server").GetProperty("connId").GetString()!;
    }

    private static List<string> AllLines(string logs) =>
        [.. Directory.GetFiles(logs, "gateway*.log").SelectMany(f => File.ReadAllText(f).Split('\n', StringSplitOptions.RemoveEmptyEntries))];

    private static void AssertOnlyWholeJsonLines(string logs)
    {
        foreach (var file in Directory.GetFiles(logs, "gateway*.log"))
        {
            var text = File.ReadAllText(file);
            Assert.True(text.Length == 0 || text.EndsWith('\n'), $"{file} ends inside a line: …{text[Math.Max(0, text.Length - 200)..]}");
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                try
                {
                    using var document = JsonDocument.Parse(line);
                    Assert.True(document.RootElement.TryGetProperty("@t", out _), $"{file}: a line without @t: {line}");
                }
                catch (JsonException e)
                {
                    Assert.Fail($"{file}: a line that is not JSON ({e.Message}): {line}");
                }
            }
        }
    }
}

using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

public sealed class LoggingTests
{
    [Fact]
    public async Task LogFile_RotatesAtTheConfiguredSize_AndKeepsTheConfiguredBackups()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "logs": { "maxFileBytes": 2048, "maxBackups": 2, "level": "debug" } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var token = TokenStore.TryRead(home.State)!;
        var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, token);
        await using var _ = client;

        var logs = home.State.LogsDirectory;
        await Eventually.AssertAsync(async () =>
        {
            await client.RequestAsync("health");
            return File.Exists(Path.Combine(logs, "gateway.2.log"));
        }, TimeSpan.FromSeconds(30), "several rolled log files");

        var files = Directory.GetFiles(logs, "gateway*.log");
        Assert.True(files.Length <= 3, $"at most 1 current + 2 backups, got {string.Join(", ", files)}");
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 2048 + 1024, $"{f} is {new FileInfo(f).Length} bytes"));
        Assert.Contains(files.SelectMany(File.ReadLines), l => l.Contains("\"Method\":\"health\"") && l.Contains("\"Outcome\":\"ok\""));
        Assert.All(files, f => Assert.Equal(Gateway.Infrastructure.AtomicFile.PrivateFileMode, File.GetUnixFileMode(f)));
    }

    [Fact]
    public async Task LogsCommand_ShowsTheTail_AndFollowsAcrossRotation()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "logs": { "maxFileBytes": 2048, "maxBackups": 5, "level": "debug" } }""");
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var tail = await CliRun.RunAsync(home, "gateway", "logs", "-n", "2");
        Assert.True(tail.ExitCode == 0, tail.ToString());
        Assert.Equal(2, tail.Stdout.TrimEnd('\n').Split('\n').Length);
        Assert.Contains(" INF ", tail.Stdout);
        Assert.DoesNotContain("\"", tail.Stdout);

        await using var follower = GatewayProcess.Start(home, ["gateway", "logs", "-f", "-n", "1"]);
        // The follower printed the last line: it is following from here on.
        await Eventually.AssertAsync(() => follower.Stdout.Lines.Count > 0, TimeSpan.FromSeconds(20), "the follower to start");
        var (client, hello) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
        var connId = hello.GetProperty("server").GetProperty("connId").GetString()!;
        var filesBefore = Directory.GetFiles(home.State.LogsDirectory).Length;
        await Eventually.AssertAsync(async () =>
        {
            await client.RequestAsync("health");
            return Directory.GetFiles(home.State.LogsDirectory).Length >= filesBefore + 2;
        }, TimeSpan.FromSeconds(30), "two rotations");
        await client.DisposeAsync();

        await follower.Stdout.WaitForAsync($"client connected: conn {connId}", TimeSpan.FromSeconds(20));
        await follower.Stdout.WaitForAsync($"connection closed: conn {connId}", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task UnwritableLogDirectory_WarnsOnTheConsole_AndTheGatewayServes()
    {
        using var home = new TempHome();
        File.WriteAllText(home.State.LogsDirectory, "a file where the log directory should be");

        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        Assert.Contains("warning: cannot write the log file", gateway.Stderr.Text);
        Assert.Contains("logging to the console only", gateway.Stderr.Text);
        Assert.Equal(0, (await CliRun.RunAsync(home, "gateway", "call", "health")).ExitCode);
    }

    [Fact]
    public async Task FullDisk_ForTheLogFile_WarnsOnTheConsole_AndTheGatewayServes()
    {
        using var home = new TempHome();
        Directory.CreateDirectory(home.State.LogsDirectory);
        // /dev/full fails every write with ENOSPC, as a full disk does.
        File.CreateSymbolicLink(home.State.LogFile, "/dev/full");

        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        await gateway.Stderr.WaitForAsync("warning: log file write failed, the gateway keeps serving", TimeSpan.FromSeconds(20));
        var call = await CliRun.RunAsync(home, "gateway", "call", "health");
        Assert.True(call.ExitCode == 0, call.ToString());
    }
}

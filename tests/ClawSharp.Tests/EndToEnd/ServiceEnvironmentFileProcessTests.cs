using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary><c>CLAWSHARP_ENV_FILE</c>: the environment file launchd and Windows services start the gateway with.</summary>
public sealed class ServiceEnvironmentFileProcessTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    // An exec agent sees only the variables agents.exec.environment names (issue 21): the file's are named here.
    public async Task APrivateFile_IsLoaded_AndItsVariablesReachAnExecAgent()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "agents": { "default": "exec", "exec": { "command": "cat >/dev/null; printf %s \"$AGENT_SECRET\"", "environment": ["PATH", "AGENT_SECRET"] } } }""");
        var file = Write(home, "# for the agent\nAGENT_SECRET=\"from the file\"\n", Private);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: EnvFile(file));

        var reply = await CliRun.RunAsync(home, "send", "hi", "--wait");

        Assert.True(reply.ExitCode == 0, reply.ToString());
        Assert.Equal("from the file", reply.Stdout.Trim());
    }

    [Fact]
    public async Task AFileOthersMayRead_IsRefused_WithExit78_TheModeAndTheFix()
    {
        using var home = new TempHome();
        var file = Write(home, "AGENT_SECRET=x\n", Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var run = await RunAsync(home, file);

        Assert.Equal(78, run.ExitCode);
        Assert.Contains($"the environment file {file} (CLAWSHARP_ENV_FILE) has mode 0644", run.Stderr);
        Assert.Contains($"fix: chmod 600 {file}", run.Stderr);
        Assert.Null(ClawSharp.Gateway.Claim.GatewayLock.ReadOwner(home.State.LockFile));
    }

    [Fact]
    public async Task AMissingFile_IsRefused_WithExit78_NamingIt()
    {
        using var home = new TempHome();
        var file = home.PathOf("nowhere.env");

        var run = await RunAsync(home, file);

        Assert.Equal(78, run.ExitCode);
        Assert.Contains($"the environment file {file} (CLAWSHARP_ENV_FILE) does not exist", run.Stderr);
    }

    [Fact]
    public async Task AMalformedLine_IsRefused_WithExit78_NamingTheLine()
    {
        using var home = new TempHome();
        var file = Write(home, "GOOD=1\nexport BAD VALUE\n", Private);

        var run = await RunAsync(home, file);

        Assert.Equal(78, run.ExitCode);
        Assert.Contains($"the environment file {file} (CLAWSHARP_ENV_FILE), line 2: expected KEY=VALUE", run.Stderr);
    }

    private static Task<CliResult> RunAsync(TempHome home, string file) =>
        CliRun.RunAsync(["gateway", "run", "--port", "0", "--home", home.Root], EnvFile(file), TimeSpan.FromSeconds(30));

    private static Dictionary<string, string> EnvFile(string path) => new() { ["CLAWSHARP_ENV_FILE"] = path };

    private static string Write(TempHome home, string text, UnixFileMode mode)
    {
        var path = home.PathOf("service.env");
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }
}

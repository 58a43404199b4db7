using System.Text.Json;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

public sealed class CliTests
{
    [Fact]
    public async Task GatewayCall_FindsTheGatewayFromTheHomeAlone_AndPrintsThePayload()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var result = await CliRun.RunAsync(home, "gateway", "call", "status", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var payload = JsonDocument.Parse(result.Stdout);
        Assert.Equal(gateway.Pid, payload.RootElement.GetProperty("pid").GetInt32());
        Assert.Equal(gateway.Port, payload.RootElement.GetProperty("port").GetInt32());
    }

    [Fact]
    public async Task GatewayCall_UnknownMethod_ExitsOne_WithTheErrorOnStderr()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var result = await CliRun.RunAsync(home, "gateway", "call", "bogus.method");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("INVALID_REQUEST: unknown method: bogus.method", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task GatewayCall_WithNoGateway_ExitsOne_AndSaysWhatToDo()
    {
        using var home = new TempHome();

        var result = await CliRun.RunAsync(home, "gateway", "call", "health");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no gateway is running for", result.Stderr);
        Assert.Contains("clawsharp gateway run", result.Stderr);
    }

    [Theory]
    [InlineData("gateway", "run", "--port", "70000")]
    [InlineData("gateway", "run", "--bind", "nowhere")]
    [InlineData("gateway", "run", "--auth", "magic")]
    [InlineData("gateway", "run", "--no-such-flag")]
    [InlineData("gateway", "call", "health", "--timeout", "soon")]
    [InlineData("gateway", "call", "health", "--params", "[1]")]
    [InlineData("gateway", "call")]
    [InlineData("gateway")]
    [InlineData("gateway", "start", "--timeout", "soon")]
    [InlineData("gateway", "start", "--port", "-1")]
    [InlineData("gateway", "start", "--token", "secret")]
    [InlineData("gateway", "stop", "--timeout", "1 minute")]
    [InlineData("gateway", "status", "--bogus")]
    [InlineData("gateway", "logs", "-n", "-5")]
    public async Task UsageErrors_ExitTwo_WithAMessage(params string[] args)
    {
        using var home = new TempHome();

        var result = await CliRun.RunAsync(home, args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Contains("--help", result.Stderr);
        if (args is [.., "-n", "-5"])
        {
            Assert.Contains("--lines must be 0 or more", result.Stderr);
        }
    }

    /// <summary>Under --json every outcome is one document on stdout, usage errors and a gateway that is not there included.</summary>
    [Theory]
    [InlineData(2, null, "gateway", "status", "--json", "--bogus")]
    [InlineData(2, null, "gateway", "start", "--json", "--port", "99999")]
    [InlineData(2, null, "gateway", "stop", "--json", "--timeout", "NaN")]
    [InlineData(2, null, "gateway", "restart", "--json", "--wait", "nans")]
    [InlineData(2, null, "gateway", "call", "--json")]
    [InlineData(2, null, "gateway", "bogus", "--json")]
    [InlineData(2, null, "tasks", "show", "--json")]
    [InlineData(2, null, "--home", "/tmp/a", "--profile", "b", "gateway", "status", "--json")]
    [InlineData(2, null, "gateway", "status", "--json:true", "--bogus")]
    [InlineData(2, null, "gateway", "call", "health", "--json", "--url", "notaurl")]
    [InlineData(2, null, "gateway", "call", "health", "--json", "--url", "http://127.0.0.1:1")]
    [InlineData(2, null, "gateway", "call", "health", "--json", "--url", "ws://127.0.0.1:1", "--password-file", "/nonexistent")]
    [InlineData(1, "NOT_RUNNING", "gateway", "call", "health", "--json=true")]
    [InlineData(1, "NOT_RUNNING", "gateway", "call", "health", "--json")]
    [InlineData(1, "NOT_RUNNING", "gateway", "preflight", "--json")]
    [InlineData(1, "NOT_RUNNING", "send", "hi", "--json")]
    [InlineData(1, "NOT_RUNNING", "tasks", "list", "--json")]
    public async Task UnderJson_AFailureIsOneDocumentOnStdout_WithTheExitCode(int exitCode, string? errorCode, params string[] args)
    {
        using var home = new TempHome();

        var result = await CliRun.RunAsync(home, args);

        Assert.True(result.ExitCode == exitCode, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        var root = document.RootElement;
        Assert.False(root.GetProperty("ok").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("error").GetString()));
        Assert.Equal(exitCode, root.GetProperty("exitCode").GetInt32());
        Assert.Equal(errorCode, root.TryGetProperty("code", out var code) ? code.GetString() : null);
        Assert.StartsWith("error: ", result.Stderr);
    }

    [Fact]
    public async Task JsonFalse_KeepsAFailureOffStdout()
    {
        using var home = new TempHome();

        var result = await CliRun.RunAsync(home, "gateway", "call", "health", "--json", "false");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("NOT_RUNNING", result.Stderr);
    }

    [Fact]
    public async Task UnderJson_AFailureFromARunningGateway_IsOneDocument_WithItsCode()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        var result = await CliRun.RunAsync(home, "gateway", "call", "bogus.method", "--json");

        Assert.Equal(1, result.ExitCode);
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.Equal("INVALID_REQUEST", document.RootElement.GetProperty("code").GetString());
        Assert.Contains("unknown method: bogus.method", document.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task BadDuration_NamesTheAcceptedForms()
    {
        var result = await CliRun.RunAsync(["gateway", "call", "health", "--timeout", "5 minutes"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("accepted forms: 500ms, 10s, 5m, 1h", result.Stderr);
    }

    [Fact]
    public async Task Help_IsAvailableOnEveryCommand()
    {
        foreach (var args in new[] { new[] { "--help" }, ["gateway", "--help"], ["gateway", "run", "--help"], ["gateway", "call", "--help"] })
        {
            var result = await CliRun.RunAsync(args);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("Usage:", result.Stdout);
        }
    }

    [Theory]
    [InlineData("start", "--timeout")]
    [InlineData("stop", "--timeout")]
    [InlineData("status", "--json")]
    [InlineData("logs", "--follow")]
    public async Task LifecycleCommands_HaveHelp(string command, string option)
    {
        var result = await CliRun.RunAsync(["gateway", command, "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(option, result.Stdout);
    }

    [Fact]
    public async Task TheSupervisorCommand_IsHiddenFromHelp()
    {
        var result = await CliRun.RunAsync(["gateway", "--help"]);

        Assert.Matches(@"(?m)^\s+start\s", result.Stdout);
        Assert.DoesNotMatch(@"(?m)^\s+supervise\s", result.Stdout);
    }
}

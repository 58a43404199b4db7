using System.Text.Json;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary><c>clawsharp config get|set|validate</c> on a real state directory.</summary>
public sealed class ConfigCommandTests
{
    [Fact]
    public async Task Set_WritesTypedValues_KeepsTheOtherKeysInOrder_Mode0600()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "logs": { "level": "info" }, "gateway": { "bind": "loopback" } }""");

        Assert.Equal(0, (await CliRun.RunAsync(home, "config", "set", "gateway.port", "18800")).ExitCode);
        Assert.Equal(0, (await CliRun.RunAsync(home, "config", "set", "commands.restart", "false")).ExitCode);
        Assert.Equal(0, (await CliRun.RunAsync(home, "config", "set", "gateway.bind", "127.0.0.1")).ExitCode);

        var text = File.ReadAllText(home.State.ConfigFile);
        var root = JsonDocument.Parse(text).RootElement;
        Assert.Equal(JsonValueKind.Number, root.GetProperty("gateway").GetProperty("port").ValueKind);
        Assert.Equal(18800, root.GetProperty("gateway").GetProperty("port").GetInt32());
        Assert.Equal(JsonValueKind.False, root.GetProperty("commands").GetProperty("restart").ValueKind);
        Assert.Equal("127.0.0.1", root.GetProperty("gateway").GetProperty("bind").GetString());
        Assert.Equal(["logs", "gateway", "commands"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["bind", "port"], root.GetProperty("gateway").EnumerateObject().Select(p => p.Name));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(home.State.ConfigFile));
    }

    [Fact]
    public async Task Set_OfAnInvalidValue_FailsNamingTheKey_AndLeavesTheFileAsItWas()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "port": 18795 } }""");
        var before = File.ReadAllBytes(home.State.ConfigFile);

        var bad = await CliRun.RunAsync(home, "config", "set", "gateway.port", "99999");
        var json = await CliRun.RunAsync(home, "config", "set", "agents.maxConcurrentRuns", "\"many\"", "--json");

        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("gateway.port", bad.Stderr);
        Assert.Equal(1, json.ExitCode);
        var answer = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.False(answer.GetProperty("ok").GetBoolean());
        Assert.Equal("agents.maxConcurrentRuns", answer.GetProperty("key").GetString());
        Assert.Equal(before, File.ReadAllBytes(home.State.ConfigFile));
    }

    [Theory]
    [InlineData("get", "gateway.port")]
    [InlineData("set", "gateway.port", "5")]
    [InlineData("validate")]
    public async Task AKeyGivenTwice_IsAClearError_NotACrash(params string[] args)
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "port": 0 }, "gateway": { "port": 0 } }""");

        var result = await CliRun.RunAsync(home, ["config", .. args, "--json"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        using var document = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Contains("Duplicate property 'gateway'", document.RootElement.GetProperty("error").GetString());
        Assert.DoesNotContain("Unhandled exception", result.Stderr);
    }

    [Fact]
    public async Task UnknownKey_IsRefusedWithAHint()
    {
        using var home = new TempHome();

        var result = await CliRun.RunAsync(home, "config", "set", "gateway.prot", "1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown config key 'gateway.prot'", result.Stderr);
        Assert.Contains("gateway.port", result.Stderr);
        Assert.False(File.Exists(home.State.ConfigFile));
    }

    [Fact]
    public async Task Get_PrintsTheValueInEffect_AndWhereItComesFrom()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "agents": { "echo": { "delayMs": 25 } } }""");

        var fromFile = JsonDocument.Parse((await CliRun.RunAsync(home, "config", "get", "agents.echo.delayMs", "--json")).Stdout).RootElement;
        var byDefault = JsonDocument.Parse((await CliRun.RunAsync(home, "config", "get", "gateway.reload.mode", "--json")).Stdout).RootElement;
        var plain = await CliRun.RunAsync(home, "config", "get", "gateway.port");

        Assert.Equal(25, fromFile.GetProperty("value").GetInt32());
        Assert.Equal("file", fromFile.GetProperty("source").GetString());
        Assert.Equal("hot", fromFile.GetProperty("reload").GetString());
        Assert.Equal("hybrid", byDefault.GetProperty("value").GetString());
        Assert.Equal("default", byDefault.GetProperty("source").GetString());
        Assert.Equal("18790", plain.Stdout.Trim());
    }

    [Fact]
    public async Task Validate_Json_OnABadFile_NamesTheKeyAndTheFile_Exit1()
    {
        using var home = new TempHome();
        home.WriteConfig("""{ "gateway": { "reload": { "mode": "sometimes" } } }""");

        var result = await CliRun.RunAsync(home, "config", "validate", "--json");

        Assert.Equal(1, result.ExitCode);
        var answer = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.False(answer.GetProperty("valid").GetBoolean());
        Assert.Equal("gateway.reload.mode", answer.GetProperty("key").GetString());
        Assert.Equal(home.State.ConfigFile, answer.GetProperty("file").GetString());

        home.WriteConfig("""{ "gateway": { "reload": { "mode": "hot" } } }""");
        var good = await CliRun.RunAsync(home, "config", "validate", "--json");
        Assert.Equal(0, good.ExitCode);
        Assert.True(JsonDocument.Parse(good.Stdout).RootElement.GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task UsageError_WithJson_IsOneJsonDocument_Exit2()
    {
        using var home = new TempHome();

        var result = await CliRun.RunAsync(home, "config", "set", "gateway.port", "--json");

        Assert.Equal(2, result.ExitCode);
        var answer = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.False(answer.GetProperty("ok").GetBoolean());
        Assert.Contains("value", answer.GetProperty("error").GetString());
    }
}

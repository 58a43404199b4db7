using System.Text.Json;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>Issue 21 item 8: a client's strings cannot forge log lines nor reach the operator's terminal as escape sequences.</summary>
public sealed class LogInjectionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AClientIdWithANewlineAndAnEscape_IsLoggedAsOneLine_WithoutControlCharacters()
    {
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        var clientId = "evil\nFORGED-LINE \u001b[31mred\u001b[0m" + new string('x', 5000);
        var connect = JsonSerializer.Serialize(new
        {
            minProtocol = 4,
            maxProtocol = 4,
            client = new { id = clientId, version = "1", platform = "linux", mode = "test" },
            role = "operator",
            scopes = new[] { "operator.read" },
            auth = new { token = "wrong-token-for-this-test" },
        });
        await using (var client = await RawProtocolClient.OpenAsync(gateway.Port))
        {
            await client.ReceiveAsync();
            await client.RequestAsync("connect", connect);
        }

        await Eventually.AssertAsync(() => File.ReadAllText(home.State.LogFile).Contains("FORGED-LINE"), Deadline, "the auth failure to be logged");
        var fileLines = File.ReadAllLines(home.State.LogFile).Where(l => l.Contains("FORGED-LINE")).ToList();
        var fileLine = Assert.Single(fileLines);
        var message = JsonDocument.Parse(fileLine).RootElement.GetProperty("@m").GetString()!;
        Assert.DoesNotContain(message, char.IsControl);
        Assert.Contains("evil\\nFORGED-LINE \\u001b[31mred", message);
        Assert.True(message.Length < 4000, $"the client id was not cut: {message.Length} characters");
        Assert.DoesNotContain(gateway.Stdout.Lines, l => l.StartsWith("FORGED-LINE", StringComparison.Ordinal));
        Assert.DoesNotContain("\u001b", gateway.Stdout.Text);

        var logs = await CliRun.RunAsync(home, "gateway", "logs", "--lines", "200");
        Assert.True(logs.ExitCode == 0, logs.ToString());
        var printed = logs.Stdout.Split('\n').Where(l => l.Contains("FORGED-LINE")).ToList();
        Assert.Contains("evil", Assert.Single(printed));
        Assert.DoesNotContain('\u001b', logs.Stdout);
    }

    [Fact]
    public async Task GatewayLogs_EscapesControlCharacters_InALineItDidNotWrite()
    {
        using var home = new TempHome();
        Directory.CreateDirectory(home.State.LogsDirectory);
        File.WriteAllText(home.State.LogFile,
            "not json \u001b]0;pwned\u0007 line\n" + JsonSerializer.Serialize(new Dictionary<string, string> { ["@t"] = "2026-01-01T00:00:00Z", ["@m"] = "a\nb \u001b[2J" }) + "\n");

        var logs = await CliRun.RunAsync(home, "gateway", "logs");
        var raw = await CliRun.RunAsync(home, "gateway", "logs", "--json");

        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.DoesNotContain('\u001b', logs.Stdout);
        Assert.DoesNotContain('\u0007', logs.Stdout);
        Assert.Equal(2, logs.Stdout.TrimEnd('\n').Split('\n').Length);
        Assert.Contains("a\\nb \\u001b[2J", logs.Stdout);
        Assert.DoesNotContain('\u001b', raw.Stdout);
    }
}

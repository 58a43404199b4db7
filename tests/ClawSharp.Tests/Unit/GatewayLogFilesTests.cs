using ClawSharp.Gateway.Logging;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

public sealed class GatewayLogFilesTests
{
    [Fact]
    public void Tail_TakesTheLastLines_AcrossRolledFiles_NewestLast()
    {
        using var home = new TempHome();
        Directory.CreateDirectory(home.State.LogsDirectory);
        File.WriteAllText(Path.Combine(home.State.LogsDirectory, "gateway.1.log"), "a1\na2\na3\n");
        File.WriteAllText(Path.Combine(home.State.LogsDirectory, "gateway.log"), "b1\nb2\npartial-without-newline");

        Assert.Equal(["a2", "a3", "b1", "b2"], GatewayLogFiles.Tail(home.State, 4));
        Assert.Equal(["a1", "a2", "a3", "b1", "b2"], GatewayLogFiles.Tail(home.State, 50));
        Assert.Equal(["b2"], GatewayLogFiles.Tail(home.State, 1));
        Assert.Empty(GatewayLogFiles.Tail(home.State, 0));
    }

    [Fact]
    public void Tail_OfABigFile_ReadsOnlyItsEnd_AndGetsEveryLineRight()
    {
        using var home = new TempHome();
        Directory.CreateDirectory(home.State.LogsDirectory);
        var lines = Enumerable.Range(1, 200_000).Select(i => $"line {i} " + new string('x', i % 97)).ToList();
        File.WriteAllText(home.State.LogFile, string.Join('\n', lines) + "\n");

        Assert.Equal(lines.TakeLast(20), GatewayLogFiles.Tail(home.State, 20));
        Assert.Equal(lines.TakeLast(3000), GatewayLogFiles.Tail(home.State, 3000));
    }

    [Fact]
    public void List_OrdersOldestFirst_LegacyRolledFiles_ThenBackupsFromTheHighestNumber_ThenTheCurrentFile()
    {
        using var home = new TempHome();
        Directory.CreateDirectory(home.State.LogsDirectory);
        string[] names = ["gateway.log", "gateway.1.log", "gateway.10.log", "gateway.2.log", "gateway_002.log", "gateway_001.log"];
        foreach (var name in names)
        {
            File.WriteAllText(Path.Combine(home.State.LogsDirectory, name), "");
        }

        Assert.Equal(["gateway_001.log", "gateway_002.log", "gateway.10.log", "gateway.2.log", "gateway.1.log", "gateway.log"],
            GatewayLogFiles.List(home.State).Select(Path.GetFileName));
    }

    [Fact]
    public void Tail_WithNoLogs_IsEmpty()
    {
        using var home = new TempHome();
        Assert.Empty(GatewayLogFiles.Tail(home.State, 10));
    }
}

using System.CommandLine;
using ClawSharp.Cli;
using ClawSharp.Cli.Commands;
using ClawSharp.Control.Lifecycle;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// How long <c>gateway restart</c> waits for the gateway to be back: <c>--timeout</c> (default 60 s)
/// plus the <c>--wait</c> drain cap, since the gateway may drain for the whole cap before it
/// restarts. Once, <c>--wait 2m</c> gave up after 60 s.
/// </summary>
public sealed class RestartTimeoutTests
{
    private static readonly RootCommand Root = CliApplication.BuildRoot();

    [Theory]
    [InlineData("--wait 2m", 180)]
    [InlineData("--wait 2m --timeout 10s", 130)]
    [InlineData("--wait 500ms", 60.5)]
    [InlineData("", 60)]
    [InlineData("--force", 60)]
    [InlineData("--timeout 5s", 5)]
    [InlineData("--safe", 60)]
    public void Budget_IsTheTimeoutPlusTheDrainCap(string flags, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), BudgetOf(flags));

    [Theory]
    [InlineData("--wait 0")]
    [InlineData("--timeout 0")]
    public void ZeroWaitOrTimeout_HasNoLimit(string flags) => Assert.Equal(Timeout.InfiniteTimeSpan, BudgetOf(flags));

    [Fact]
    public void AHugeCap_IsNoLimit_NotAnOverflow() =>
        Assert.Equal(Timeout.InfiniteTimeSpan, ControlBudget.Of(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), TimeSpan.MaxValue));

    private static TimeSpan BudgetOf(string flags)
    {
        var parse = Root.Parse(["gateway", "restart", .. flags.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.Empty(parse.Errors);
        return GatewayRestartCommand.Client.Budget(parse);
    }
}

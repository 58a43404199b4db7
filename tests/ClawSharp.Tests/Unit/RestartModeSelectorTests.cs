using ClawSharp.Gateway.Hosting;

namespace ClawSharp.Tests.Unit;

public sealed class RestartModeSelectorTests
{
    [Theory]
    [InlineData(null, SupervisorKind.None, RestartMode.Spawn)]
    [InlineData(null, SupervisorKind.Builtin, RestartMode.SupervisedExit)]
    [InlineData(null, SupervisorKind.Systemd, RestartMode.SupervisedExit)]
    [InlineData(null, SupervisorKind.Windows, RestartMode.SupervisedExit)]
    [InlineData(null, SupervisorKind.Launchd, RestartMode.LaunchdKickstart)]
    [InlineData("1", SupervisorKind.None, RestartMode.InProcess)]
    [InlineData("1", SupervisorKind.Systemd, RestartMode.InProcess)]
    [InlineData("0", SupervisorKind.None, RestartMode.Spawn)]
    public void Select_FollowsTheTableOfArchitecture3(string? noRespawn, SupervisorKind supervisor, RestartMode expected)
    {
        Assert.Equal(expected, RestartModeSelector.Select(name => name == "CLAWSHARP_NO_RESPAWN" ? noRespawn : null, supervisor));
    }

    [Theory]
    [InlineData(null, SupervisorKind.None)]
    [InlineData("builtin", SupervisorKind.Builtin)]
    [InlineData("SYSTEMD", SupervisorKind.Systemd)]
    [InlineData("launchd", SupervisorKind.Launchd)]
    [InlineData("something-else", SupervisorKind.Builtin)]
    public void SupervisorDetection_ReadsTheOneVariable(string? value, SupervisorKind expected)
    {
        Assert.Equal(expected, SupervisorDetection.Detect(name => name == "CLAWSHARP_SUPERVISOR" ? value : null));
    }
}

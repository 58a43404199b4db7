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
    [InlineData(null, SupervisorKind.None, "update", RestartMode.SpawnForUpdate)]
    [InlineData(null, SupervisorKind.None, " Update ", RestartMode.SpawnForUpdate)]
    [InlineData(null, SupervisorKind.None, "updated config", RestartMode.Spawn)]
    [InlineData(null, SupervisorKind.None, null, RestartMode.Spawn)]
    [InlineData(null, SupervisorKind.Builtin, "update", RestartMode.SupervisedExit)]
    [InlineData(null, SupervisorKind.Systemd, "update", RestartMode.SupervisedExit)]
    [InlineData(null, SupervisorKind.Launchd, "update", RestartMode.LaunchdKickstart)]
    [InlineData("1", SupervisorKind.None, "update", RestartMode.InProcess)]
    public void Select_AnUpdateRestart_SpawnsOnlyWhenUnsupervisedAndRespawnAllowed(string? noRespawn, SupervisorKind supervisor, string? reason, RestartMode expected)
    {
        Assert.Equal(expected, RestartModeSelector.Select(name => name == "CLAWSHARP_NO_RESPAWN" ? noRespawn : null, supervisor, reason));
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

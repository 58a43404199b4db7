using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Tests.Unit;

public sealed class RestartModeSelectorTests
{
    [Theory]
    [InlineData(null, SupervisorKind.None, RestartMode.Spawn)]
    [InlineData(null, SupervisorKind.Builtin, RestartMode.SupervisedExit)]
    // A deliberate restart under systemd keeps the PID: it must not count against StartLimitBurst.
    [InlineData(null, SupervisorKind.Systemd, RestartMode.InProcess)]
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
    [InlineData(null, SupervisorKind.Systemd, "update", RestartMode.InProcess)]
    [InlineData(null, SupervisorKind.Launchd, "update", RestartMode.LaunchdKickstart)]
    [InlineData("1", SupervisorKind.None, "update", RestartMode.InProcess)]
    public void Select_AnUpdateRestart_SpawnsOnlyWhenUnsupervisedAndRespawnAllowed(string? noRespawn, SupervisorKind supervisor, string? reason, RestartMode expected)
    {
        Assert.Equal(expected, RestartModeSelector.Select(name => name == "CLAWSHARP_NO_RESPAWN" ? noRespawn : null, supervisor, reason));
    }

    [Theory]
    [InlineData(null, SupervisorKind.None, null, RestartMode.SpawnSupervisor)]
    [InlineData(null, SupervisorKind.None, "update", RestartMode.SpawnSupervisor)]
    [InlineData("1", SupervisorKind.None, null, RestartMode.InProcess)]
    // Still supervised: the supervisor restarts it, as ever.
    [InlineData(null, SupervisorKind.Builtin, null, RestartMode.SupervisedExit)]
    public void Select_AGatewayWhoseBuiltinSupervisorDied_StartsANewSupervisor(string? noRespawn, SupervisorKind now, string? reason, RestartMode expected)
    {
        Assert.Equal(expected, RestartModeSelector.Select(name => name == "CLAWSHARP_NO_RESPAWN" ? noRespawn : null, now, reason,
            startedUnder: SupervisorKind.Builtin));
    }

    [Fact]
    public void Select_AGatewayStartedUnderSystemd_NeverStartsABuiltinSupervisor()
    {
        Assert.Equal(RestartMode.Spawn, RestartModeSelector.Select(_ => null, SupervisorKind.None, startedUnder: SupervisorKind.Systemd));
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

    [Theory]
    [InlineData(SupervisorKind.None, null, RestartMode.InProcess)]
    [InlineData(SupervisorKind.None, "update", RestartMode.InProcess)]
    [InlineData(SupervisorKind.Windows, null, RestartMode.SupervisedExit)]
    public void Select_WhereSpawningIsNotPossible_RestartsInProcessUnlessSupervised(SupervisorKind supervisor, string? reason, RestartMode expected)
    {
        Assert.Equal(expected, RestartModeSelector.Select(_ => null, supervisor, reason, canSpawn: false));
    }

    [Theory]
    [InlineData("4300", 4300, SupervisorKind.Builtin)]
    [InlineData("4300", 1, SupervisorKind.None)]
    [InlineData(null, 1, SupervisorKind.Builtin)]
    public void SupervisorDetection_ABuiltinSupervisorThatIsNotOurParentAnyMore_HasDied(string? supervisorPid, int parentPid, SupervisorKind expected)
    {
        string? Environment(string name) => name switch
        {
            "CLAWSHARP_SUPERVISOR" => "builtin",
            "CLAWSHARP_SUPERVISOR_PID" => supervisorPid,
            _ => null,
        };
        Assert.Equal(expected, SupervisorDetection.Detect(Environment, parentPid));
    }
}

using ClawSharp.Gateway;
using ClawSharp.Gateway.Claim;

namespace ClawSharp.Tests.Unit;

public sealed class DuplicateStartPolicyTests
{
    [Theory]
    [InlineData(false, 4321, true, ExitCode.Failure)]
    [InlineData(false, 4321, false, ExitCode.Failure)]
    [InlineData(true, 4321, true, ExitCode.Config)]
    [InlineData(true, 4321, false, ExitCode.Failure)]
    [InlineData(true, 0, true, ExitCode.Failure)]
    public void ASupervisedDuplicateOfAHealthyGateway_Exits78_EveryOtherDuplicateExits1(bool supervised, int port, bool ownerHealthy, ExitCode expected)
    {
        Assert.Equal(expected, DuplicateStartPolicy.Decide(supervised, port, ownerHealthy));
    }

    [Theory]
    [InlineData(false, 4321, false)]
    [InlineData(true, 0, false)]
    [InlineData(true, 4321, true)]
    public void OnlyASupervisedDuplicateOnAKnownPort_ProbesTheOwner(bool supervised, int port, bool probes)
    {
        Assert.Equal(probes, DuplicateStartPolicy.ShouldProbeOwner(supervised, port));
    }
}

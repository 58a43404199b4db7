using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Tests.Unit;

public sealed class SystemdEnvironmentTests
{
    private const int OurPid = 4242;

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("soon", null, null)]
    [InlineData("2000000", null, 1000.0)]
    [InlineData("2000000", "4242", 1000.0)]
    [InlineData("2000000", "4243", null)]
    [InlineData("2000000", "x", null)]
    [InlineData("3", null, 0.0015)]
    public void WatchdogInterval_IsHalfOfWatchdogUsec_ForThisProcessOnly(string? usec, string? pid, double? expectedMs)
    {
        var environment = new Dictionary<string, string?> { ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid };

        var interval = SystemdEnvironment.WatchdogInterval(name => environment.GetValueOrDefault(name), OurPid);

        Assert.Equal(expectedMs, interval?.TotalMilliseconds);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("0", null)]
    [InlineData("infinity", null)]
    [InlineData("90", 90.0)]
    [InlineData("1.5", 1.5)]
    public void StopTimeout_IsTheUnitsTimeoutStopSec_WhenItIsAPositiveNumberOfSeconds(string? value, double? expectedSeconds)
    {
        var timeout = SystemdEnvironment.StopTimeout(name => name == "CLAWSHARP_STOP_TIMEOUT_SEC" ? value : null);

        Assert.Equal(expectedSeconds, timeout?.TotalSeconds);
    }
}

using ClawSharp.Gateway.Lifecycle;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.Unit;

public sealed class ShutdownWatchdogTests
{
    [Fact]
    public void Fires_OnceTheBudgetPasses_AndOnlyOnce()
    {
        var time = new FakeTimeProvider();
        var fired = 0;
        using var watchdog = ShutdownWatchdog.Arm(time, TimeSpan.FromSeconds(25), () => fired++);

        time.Advance(TimeSpan.FromSeconds(24.9));
        Assert.Equal(0, fired);
        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(1, fired);
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1, fired);
        Assert.True(watchdog.Fired);
    }

    [Fact]
    public void Disposed_BeforeTheBudget_NeverFires()
    {
        var time = new FakeTimeProvider();
        var fired = 0;
        var watchdog = ShutdownWatchdog.Arm(time, TimeSpan.FromSeconds(1), () => fired++);

        watchdog.Dispose();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, fired);
        Assert.False(watchdog.Fired);
    }
}

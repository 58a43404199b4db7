using ClawSharp.Gateway.Work;

namespace ClawSharp.Tests.Unit;

/// <summary>agents.maxConcurrentRuns applied live: the run cap grows at once and shrinks as holders release.</summary>
public sealed class ResizableSlotsTests
{
    [Fact]
    public async Task Growing_FreesSlotsAtOnce()
    {
        var slots = new ResizableSlots(1);
        await slots.WaitAsync(CancellationToken.None);
        var second = slots.WaitAsync(CancellationToken.None);
        Assert.False(second.IsCompleted);

        slots.Resize(2);

        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Shrinking_TakesSlotsBackAsHoldersRelease_NeverCutsOne()
    {
        var slots = new ResizableSlots(3);
        await slots.WaitAsync(CancellationToken.None);
        await slots.WaitAsync(CancellationToken.None);

        slots.Resize(1);
        var third = slots.WaitAsync(CancellationToken.None);
        Assert.False(third.IsCompleted);
        slots.Release();
        Assert.False(third.IsCompleted);
        slots.Release();

        await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, slots.Limit);
    }
}

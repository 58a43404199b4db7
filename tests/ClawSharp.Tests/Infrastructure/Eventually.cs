namespace ClawSharp.Tests.Infrastructure;

/// <summary>Waits on a condition with a deadline: no fixed sleeps in tests.</summary>
internal static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls until <paramref name="condition"/> holds; false when the deadline passed first.</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return true;
            }
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            await Task.Delay(PollInterval);
        }
    }

    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout) =>
        UntilAsync(() => Task.FromResult(condition()), timeout);

    /// <summary>Like <see cref="UntilAsync(Func{Task{bool}}, TimeSpan)"/>, failing the test with <paramref name="what"/> on timeout.</summary>
    public static async Task AssertAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        Assert.True(await UntilAsync(condition, timeout), $"timed out after {timeout.TotalSeconds} s waiting for: {what}");
    }

    public static Task AssertAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        AssertAsync(() => Task.FromResult(condition()), timeout, what);
}

/// <summary>Checks that a condition keeps holding over a window (a negative assertion: "no second restart").</summary>
internal static class Steadily
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="condition"/> until <paramref name="window"/> has passed; fails the test the first time it does not hold.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan window, string what)
    {
        var until = DateTime.UtcNow + window;
        while (DateTime.UtcNow < until)
        {
            Assert.True(await condition(), $"stopped holding before {window.TotalSeconds} s passed: {what}");
            await Task.Delay(PollInterval);
        }
    }
}

namespace ClawSharp.Tests.Infrastructure;

/// <summary>Lines a child process printed, with a way to wait for one.</summary>
internal sealed class OutputLog
{
    private readonly List<string> lines = [];
    private readonly Lock gate = new();
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }
        TaskCompletionSource previous;
        lock (gate)
        {
            lines.Add(line);
            previous = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        previous.TrySetResult();
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (gate)
            {
                return [.. lines];
            }
        }
    }

    public string Text => string.Join('\n', Lines);

    public bool Contains(string text) => Lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Waits until a line contains <paramref name="text"/>; fails the test on timeout.</summary>
    public async Task<string> WaitForAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task next;
            lock (gate)
            {
                var match = lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
                if (match is not null)
                {
                    return match;
                }
                next = changed.Task;
            }
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                Assert.Fail($"timed out waiting for output containing \"{text}\"; got:\n{Text}");
            }
            try
            {
                await next.WaitAsync(remaining);
            }
            catch (TimeoutException)
            {
            }
        }
    }
}

namespace ClawSharp.Gateway.Work;

/// <summary>
/// A counting limit whose size can change while it is in use (<c>agents.maxConcurrentRuns</c>,
/// applied live by a config reload). Growing frees slots at once; shrinking takes free slots
/// now and the rest as holders release them, so a run in flight is never cut.
/// </summary>
internal sealed class ResizableSlots(int size)
{
    private readonly SemaphoreSlim free = new(size, int.MaxValue);
    private readonly Lock gate = new();
    private int limit = size;
    // Slots that a shrink still has to take back as holders release them.
    private int owed;

    public int Limit => Volatile.Read(ref limit);

    public Task WaitAsync(CancellationToken cancellationToken) => free.WaitAsync(cancellationToken);

    public void Release()
    {
        lock (gate)
        {
            if (owed > 0)
            {
                owed--;
                return;
            }
            free.Release();
        }
    }

    public void Resize(int size)
    {
        lock (gate)
        {
            var change = size - limit;
            limit = size;
            if (change > 0)
            {
                var repaid = Math.Min(owed, change);
                owed -= repaid;
                if (change > repaid)
                {
                    free.Release(change - repaid);
                }
                return;
            }
            for (var take = -change; take > 0; take--)
            {
                if (!free.Wait(0))
                {
                    owed += take;
                    return;
                }
            }
        }
    }
}

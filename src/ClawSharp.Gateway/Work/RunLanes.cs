namespace ClawSharp.Gateway.Work;

/// <summary>
/// One FIFO lane per session and a global cap on concurrent runs. Invariant: runs of one
/// session never overlap, and at most <c>slots</c> runs execute at once.
/// </summary>
/// <param name="slots">The global cap (resized live by a config reload).</param>
/// <param name="execute">Runs one run.</param>
/// <param name="ended">Called after a run ended and stopped counting as active (a drain waits on it).</param>
/// <param name="failed">Called when running a run threw (the store failed); the lane goes on with the next run.</param>
/// <param name="stopping">Fires when the generation closes.</param>
internal sealed class RunLanes(ResizableSlots slots, Func<string, CancellationToken, Task> execute, Action ended,
    Action<string, string, Exception> failed, CancellationToken stopping)
{
    private readonly Dictionary<string, Queue<string>> lanes = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly List<Task> pumps = [];
    private int queued;
    private int active;

    /// <summary>Queued plus active operations.</summary>
    public int QueueSize => Volatile.Read(ref queued) + Volatile.Read(ref active);

    public int Active => Volatile.Read(ref active);

    public void Enqueue(string sessionKey, string runId)
    {
        lock (gate)
        {
            Interlocked.Increment(ref queued);
            if (lanes.TryGetValue(sessionKey, out var lane))
            {
                lane.Enqueue(runId);
                return;
            }
            lanes[sessionKey] = new Queue<string>([runId]);
            pumps.RemoveAll(p => p.IsCompleted);
            pumps.Add(Task.Run(() => PumpAsync(sessionKey)));
        }
    }

    /// <summary>Waits for every lane's pump to end (after <c>stopping</c> fired).</summary>
    public Task WhenStoppedAsync()
    {
        lock (gate)
        {
            return Task.WhenAll(pumps);
        }
    }

    private async Task PumpAsync(string sessionKey)
    {
        while (true)
        {
            string runId;
            lock (gate)
            {
                var lane = lanes[sessionKey];
                if (lane.Count == 0 || stopping.IsCancellationRequested)
                {
                    Interlocked.Add(ref queued, -lane.Count);
                    lanes.Remove(sessionKey);
                    return;
                }
                runId = lane.Dequeue();
            }
            try
            {
                await slots.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Decrement(ref queued);
                continue;
            }
            Interlocked.Increment(ref active);
            Interlocked.Decrement(ref queued);
            try
            {
                await execute(runId, stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One failing run must not wedge its session: the lane goes on, the run stays in the store.
                failed(sessionKey, runId, e);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Interlocked.Decrement(ref active);
                slots.Release();
                ended();
            }
        }
    }
}

using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.Restart;

namespace ClawSharp.Tests.Fakes;

/// <summary>
/// A generation that serves nothing. Its active work is a count the test sets; its drain
/// waits until the test calls <see cref="FinishWork"/> (or the drain is cancelled by a stop; a
/// stop's drain also ends when its budget runs out on the test's clock).
/// Every call is written to the transcript as "genN Call".
/// </summary>
internal sealed class FakeGeneration(string name, GatewayConfig config, Transcript transcript, int activeRuns, TimeProvider time) : IGatewayGeneration
{
    private readonly TaskCompletionSource workDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int active = activeRuns;

    public GatewayConfig Config => config;

    public GenerationInfo Info { get; } = new(name, time.GetUtcNow());

    public int CloseCount { get; private set; }

    /// <summary>When the close began, on the test's clock.</summary>
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>Counting the work fails (a store error).</summary>
    public bool PreflightFails { get; set; }

    public PreflightResult Preflight()
    {
        if (PreflightFails)
        {
            throw new InvalidDataException("fake: the store cannot be read");
        }
        var counts = new PreflightCounts(0, 0, active, 0, 0, active);
        return new PreflightResult(active == 0, counts, [], active == 0 ? "no active work" : $"{active} run(s) active");
    }

    public void BeginDraining() => transcript.Add($"{name} BeginDraining");

    public string ServingOn => "127.0.0.1:18789";

    public async Task DrainAsync(bool restart, TimeSpan budget, CancellationToken cancellationToken)
    {
        transcript.Add(restart ? $"{name} Drain" : $"{name} Drain(stop)");
        if (active == 0)
        {
            return;
        }
        try
        {
            await (restart ? workDone.Task.WaitAsync(cancellationToken) : workDone.Task.WaitAsync(budget, time, cancellationToken));
        }
        catch (OperationCanceledException)
        {
            transcript.Add($"{name} DrainCancelled");
        }
        catch (TimeoutException)
        {
            transcript.Add($"{name} DrainBudgetSpent");
        }
    }

    public void FinishWork()
    {
        active = 0;
        workDone.TrySetResult();
    }

    public void AnnounceReady() => transcript.Add($"{name} Ready");

    public Task CloseAsync(bool restart, CancellationToken cancellationToken)
    {
        CloseCount++;
        ClosedAt = time.GetUtcNow();
        transcript.Add($"{name} Close({(restart ? "restart" : "stop")})");
        return Task.CompletedTask;
    }
}

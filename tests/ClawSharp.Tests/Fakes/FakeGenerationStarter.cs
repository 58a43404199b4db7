using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Lifecycle;

namespace ClawSharp.Tests.Fakes;

/// <summary>
/// Starts <see cref="FakeGeneration"/>s named gen1, gen2, … A start listed in
/// <see cref="FailingStarts"/> fails; <see cref="HoldNextStart"/> makes the next start wait
/// until the test releases it. Counts its calls, like FakeHostLifetime.
/// </summary>
internal sealed class FakeGenerationStarter(Transcript transcript, GatewayConfig config, TimeProvider time) : IGenerationStarter
{
    private readonly List<FakeGeneration> generations = [];
    private TaskCompletionSource? hold;

    /// <summary>Active runs each new generation starts with.</summary>
    public int ActiveRunsOfNext { get; set; }

    /// <summary>1-based numbers of the starts that fail.</summary>
    public HashSet<int> FailingStarts { get; } = [];

    public int StartCount { get; private set; }

    public int ReleaseListenerCount { get; private set; }

    public IReadOnlyList<FakeGeneration> Generations => generations;

    public GatewayConfig LoadConfig() => config;

    /// <summary>What <see cref="NextStartProblem"/> answers (null: the next start would succeed).</summary>
    public string? NextStartFails { get; set; }

    public string? NextStartProblem() => NextStartFails;

    /// <summary>The next start waits until the returned source completes.</summary>
    public TaskCompletionSource HoldNextStart() => hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<GenerationStart> StartAsync(GatewayConfig next, bool firstStart, CancellationToken cancellationToken)
    {
        var number = ++StartCount;
        transcript.Add($"start {number}");
        if (hold is { } waiting)
        {
            hold = null;
            await waiting.Task.WaitAsync(cancellationToken);
        }
        if (FailingStarts.Contains(number))
        {
            transcript.Add($"start {number} failed");
            return new GenerationStart.Failed(firstStart ? ExitCode.Config : ExitCode.Failure);
        }
        var generation = new FakeGeneration($"gen{generations.Count + 1}", next, transcript, ActiveRunsOfNext, time);
        generations.Add(generation);
        return new GenerationStart.Started(generation);
    }

    public void ReleaseListener()
    {
        ReleaseListenerCount++;
        transcript.Add("ReleaseListener");
    }
}

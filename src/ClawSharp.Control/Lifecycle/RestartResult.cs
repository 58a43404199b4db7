namespace ClawSharp.Control.Lifecycle;

/// <summary>The outcome of <see cref="GatewayControl.RestartAsync"/>.</summary>
internal abstract record RestartResult
{
    private RestartResult()
    {
    }

    /// <summary>A new generation is ready (another boot id); <paramref name="Elapsed"/> since the request began.</summary>
    public sealed record Restarted(int Pid, TimeSpan Elapsed) : RestartResult;

    /// <summary>Asked from inside a run or task of the gateway: not waited for, since the restart waits for that work.</summary>
    public sealed record RequestedFromInside(string Work) : RestartResult
    {
        public string Message => $"restart requested from inside {Work}; not waiting for it, since the restart waits for this {Work.Split(' ')[0]} to end";
    }

    /// <summary>A restart that happened after the request (another requester's) already satisfies it: nothing was signalled.</summary>
    public sealed record AlreadyRestarted(int Pid, DateTimeOffset GenerationStartedAt) : RestartResult;

    /// <summary>Refused before anything stopped: the next start would fail (<paramref name="Reason"/> names the key and file); the gateway keeps serving.</summary>
    public sealed record Refused(string Reason) : RestartResult;

    /// <summary>Nothing to restart, or the manager was woken but no gateway became ready in time.</summary>
    public sealed record Failed(string Message) : RestartResult;

    /// <summary>The gateway was asked but no new generation was ready within <paramref name="Budget"/>.</summary>
    public sealed record TimedOut(TimeSpan Budget) : RestartResult;
}

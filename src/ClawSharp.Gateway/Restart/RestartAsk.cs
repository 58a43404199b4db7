namespace ClawSharp.Gateway.Restart;

/// <summary>What a restart request asks for (RPC params, an intent file, or a bare signal).</summary>
internal sealed record RestartAsk(string Source, string? Reason, bool SkipDeferral, bool InterruptActiveWork, bool? Force, long? WaitMs);

namespace ClawSharp.Gateway.Restart;

/// <summary>
/// <c>restart-intent.json</c>: a restart the CLI asked for just before it signalled the
/// gateway. With it present, SIGTERM means restart (not stop) and SIGUSR1 takes its options.
/// </summary>
/// <param name="Kind">Always <c>gateway-restart</c>.</param>
/// <param name="Pid">The gateway the intent is for.</param>
/// <param name="RequesterPid">Who wrote it.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
/// <param name="Reason">Why, for the log.</param>
/// <param name="Force">Restart at once, aborting active runs.</param>
/// <param name="WaitMs">Cap on the drain in milliseconds; 0 waits indefinitely.</param>
/// <param name="RequestedAt">Unix milliseconds of the operator's request (the CLI's start): a generation started after it already satisfies it.</param>
internal sealed record RestartIntent(string Kind, int Pid, int RequesterPid, long CreatedAt, string? Reason, bool? Force, long? WaitMs, long? RequestedAt = null);

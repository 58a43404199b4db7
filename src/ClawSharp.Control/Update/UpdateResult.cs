namespace ClawSharp.Control.Update;

/// <summary>How an update ended.</summary>
internal enum UpdateOutcome
{
    /// <summary>Refused before anything changed (checksum, a binary that does not run, nothing to roll back to).</summary>
    Refused,

    /// <summary>Replaced; no gateway runs for the state directory, so none was restarted.</summary>
    Replaced,

    /// <summary>Replaced, and the gateway runs the new binary.</summary>
    Updated,

    /// <summary>The new binary never became ready: the previous one is back in place and the gateway runs it.</summary>
    RolledBack,

    /// <summary>The new binary never became ready and the gateway did not come back on the previous one either.</summary>
    Failed,
}

/// <summary>The result of <see cref="GatewayUpdater.UpdateAsync"/>, for the text and <c>--json</c> reports.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Message">One sentence for the operator.</param>
/// <param name="Binary">The installed binary.</param>
/// <param name="Source">The new binary it came from; null when refused before one was found.</param>
/// <param name="FromVersion">The version before.</param>
/// <param name="ToVersion">The version of the new binary.</param>
/// <param name="Previous">Where the binary before is kept (<c>TARGET.previous</c>).</param>
/// <param name="GatewayPid">The gateway serving at the end, if any.</param>
/// <param name="ManagedBy">Who restarted it: <c>gateway</c> (the update respawn), <c>supervisor</c>, <c>systemd</c>, <c>launchd</c>, <c>windows</c>; null when none ran.</param>
internal sealed record UpdateResult(UpdateOutcome Outcome, string Message, string Binary, string? Source = null, string? FromVersion = null, string? ToVersion = null,
    string? Previous = null, int? GatewayPid = null, string? ManagedBy = null);

namespace ClawSharp.Gateway.Claim;

/// <summary>How a start that found the state directory or the port taken ends (<see cref="DuplicateStartPolicy.Decide"/>).</summary>
/// <param name="Code">The exit code.</param>
/// <param name="OwnerUnresponsive">The owner did not answer <c>/readyz</c> in time: say so (and how to replace it) rather than "already running".</param>
internal readonly record struct DuplicateVerdict(ExitCode Code, bool OwnerUnresponsive);

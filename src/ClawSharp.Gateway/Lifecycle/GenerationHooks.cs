using ClawSharp.Gateway.Restart;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>What every generation's server is built from besides its configuration (the loop's side of <see cref="GatewayServerSettings"/>).</summary>
/// <param name="RunState">The loop's state as the wire spells it.</param>
/// <param name="Restarts">In-process restarts so far.</param>
/// <param name="SubmitRestart">Hands an RPC's restart request to the loop.</param>
/// <param name="Live">The configuration in effect: a start puts its own in effect, a config reload swaps it.</param>
internal sealed record GenerationHooks(Func<string> RunState, Func<int> Restarts, Action<RestartSubmission> SubmitRestart, Configuration.LiveConfig Live);

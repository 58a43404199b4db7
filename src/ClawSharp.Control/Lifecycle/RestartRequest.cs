using ClawSharp.Control.Client;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Lifecycle;

/// <summary>What <c>gateway restart</c> (without <c>--safe</c>) asks for.</summary>
/// <param name="State">The state directory.</param>
/// <param name="Target">Finds the gateway to talk to (called only once a gateway owns the lock).</param>
/// <param name="Force">Restart now, cutting active runs.</param>
/// <param name="Wait">Cap on the drain; zero drains indefinitely; null = the gateway's default.</param>
/// <param name="Budget">How long the whole restart may take (<see cref="ControlBudget.Of"/>); <see cref="Timeout.InfiniteTimeSpan"/> = no limit.</param>
/// <param name="CallerWork">The run or task this request comes from (<see cref="CallerWork"/>), which must not wait for the restart.</param>
/// <param name="Reason">The intent's reason; <c>update</c> makes it an update restart (the health-checked respawn). Null: the command line.</param>
internal sealed record RestartRequest(StateDirectory State, Func<GatewayTarget> Target, bool Force, TimeSpan? Wait, TimeSpan Budget, string? CallerWork,
    string? Reason = null);

using ClawSharp.Control.Client;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Update;

/// <summary>What <c>clawsharp update</c> asks for.</summary>
/// <param name="State">The state directory whose gateway is restarted onto the new binary.</param>
/// <param name="Target">Finds the gateway to talk to.</param>
/// <param name="From">The <c>--from</c> path (a release folder or a binary); null for <paramref name="Rollback"/>.</param>
/// <param name="Sha256">The <c>--sha256</c> value: the expected hash of a bare binary.</param>
/// <param name="NoVerify"><c>--no-verify</c>: accept a bare binary without a hash.</param>
/// <param name="Rollback"><c>--rollback</c>: go back to <c>TARGET.previous</c>.</param>
/// <param name="InstalledBinary">The binary to replace: <c>--target</c>, else the one this CLI runs as.</param>
/// <param name="Budget">How long the restart may take in all (drain included).</param>
internal sealed record UpdateRequest(StateDirectory State, Func<GatewayTarget> Target, string? From, string? Sha256, bool NoVerify, bool Rollback,
    string InstalledBinary, TimeSpan Budget);

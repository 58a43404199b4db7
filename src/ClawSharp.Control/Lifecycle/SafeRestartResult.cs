using ClawSharp.Gateway.Restart;

namespace ClawSharp.Control.Lifecycle;

/// <summary>The gateway's answer to a safe restart (<c>gateway.restart.request</c>), as <c>gateway restart --safe</c> reports it.</summary>
/// <param name="Status"><c>scheduled</c>, <c>deferred</c> or <c>coalesced</c> (the gateway's word).</param>
/// <param name="Message">For people.</param>
/// <param name="Preflight">The active work the restart waits for.</param>
/// <param name="Restart">How the gateway will restart.</param>
/// <param name="Warnings">What was asked and not honoured.</param>
/// <param name="BootBefore">The boot id of the generation asked, to recognise the next one.</param>
internal sealed record SafeRestartResult(string Status, string Message, PreflightResult Preflight, RestartInfo Restart, IReadOnlyList<string> Warnings, string BootBefore);

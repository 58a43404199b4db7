using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Protocol;

/// <summary>What every control connection of one server generation shares.</summary>
internal sealed class ControlProtocolContext
{
    public required MethodRegistry Methods { get; init; }
    public required ConnectAuthenticator Authenticator { get; init; }
    public required AuthFailureLimiter AuthLimiter { get; init; }
    public required GatewayRuntimeInfo Runtime { get; init; }
    public required ConnectionRegistry Connections { get; init; }
    public required ILogger Logger { get; init; }

    /// <summary>Every event the server sends, announced in <c>hello-ok.features.events</c>.</summary>
    public IReadOnlyList<string> Events { get; init; } = ["connect.challenge", "tick", "shutdown", "chat"];
}

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

    /// <summary>What the connections together may hold of the large frames they are reading.</summary>
    public FrameBudget Frames { get; init; } = new(FrameBudget.DefaultTotal);

    /// <summary>
    /// Test fault <c>late-frame-read</c>: each frame read after the handshake is held until the
    /// server's close begins (at most 10 s), and counted as a request a few milliseconds after, as
    /// on a loaded machine whose read of a frame that had already arrived runs behind the close:
    /// the close must still answer it.
    /// </summary>
    public bool LateFrameReads { get; init; }

    /// <summary>Every event the server sends, announced in <c>hello-ok.features.events</c>.</summary>
    public IReadOnlyList<string> Events { get; init; } = ["connect.challenge", "tick", "shutdown", "chat"];
}

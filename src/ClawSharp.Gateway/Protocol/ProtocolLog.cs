using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Protocol;

/// <summary>Log messages of the control protocol; event ids 2000–2099.</summary>
internal static partial class ProtocolLog
{
    [LoggerMessage(2000, LogLevel.Information, "client connected: conn {ConnId} client {ClientId} mode {ClientMode} from {Remote}")]
    public static partial void ClientConnected(ILogger logger, string connId, string clientId, string clientMode, string remote);

    [LoggerMessage(2001, LogLevel.Information, "connection closed: conn {ConnId} client {ClientId}")]
    public static partial void ConnectionClosed(ILogger logger, string connId, string clientId);

    [LoggerMessage(2002, LogLevel.Warning, "unauthorized connect from {Remote} (client {ClientId}): {Problem}")]
    public static partial void AuthFailed(ILogger logger, string remote, string clientId, string problem);

    [LoggerMessage(2003, LogLevel.Debug, "rpc {Method} {Outcome} in {ElapsedMs:F2} ms (conn {ConnId})")]
    public static partial void RequestHandled(ILogger logger, string method, string outcome, double elapsedMs, string connId);

    [LoggerMessage(2004, LogLevel.Error, "rpc {Method} threw (conn {ConnId})")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string connId);

    [LoggerMessage(2120, LogLevel.Information, "conn {ConnId} authenticated as {Credential}, granted scopes [{Scopes}]")]
    public static partial void ScopesGranted(ILogger logger, string connId, string credential, string scopes);
}

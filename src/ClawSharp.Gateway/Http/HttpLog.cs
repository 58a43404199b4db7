using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Http;

/// <summary>Log messages of the HTTP side of the gateway's port; event ids 2100–2119.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(2100, LogLevel.Warning,
        "refused {What} from {Remote}: Origin \"{Origin}\" is neither the gateway's own nor in gateway.allowedOrigins (a web page may not drive the gateway)")]
    public static partial void OriginRefused(ILogger logger, string what, string remote, string origin);

    [LoggerMessage(2101, LogLevel.Warning, "refused POST /v1/messages from {Remote}: credential {Credential} lacks {Scope}")]
    public static partial void ScopeRefused(ILogger logger, string remote, string credential, string scope);

    [LoggerMessage(2102, LogLevel.Warning, "unauthorized {What} from {Remote}: missing or wrong bearer token")]
    public static partial void BearerRefused(ILogger logger, string what, string remote);

    [LoggerMessage(2103, LogLevel.Warning,
        "refused {Count} connection(s) since the last such line (one a minute at most): the port holds {Limit} at most (gateway.maxConnections {Configured}, and the open-file limit); is a client leaking connections, or is someone flooding the port?")]
    public static partial void ConnectionsRefused(ILogger logger, long count, int limit, int configured);

    /// <remarks>A warning when gateway.maxConnections was set; the default under a low limit (systemd's soft 1024) is news, not a fault.</remarks>
    [LoggerMessage(EventId = 2104, Message =
        "the port holds {Limit} connections at most, not gateway.maxConnections {Configured}: the open-file limit is {Descriptors} (raise it, e.g. LimitNOFILE= in the unit, or lower the setting)")]
    public static partial void ConnectionLimitLowered(ILogger logger, LogLevel level, int limit, int configured, long descriptors);
}

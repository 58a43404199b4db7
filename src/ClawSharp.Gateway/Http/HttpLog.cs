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

    [LoggerMessage(2102, LogLevel.Warning, "unauthorized POST /v1/messages from {Remote}: missing or wrong bearer token")]
    public static partial void BearerRefused(ILogger logger, string remote);
}

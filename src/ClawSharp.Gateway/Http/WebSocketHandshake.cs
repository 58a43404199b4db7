using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Org.BouncyCastle.Crypto.Digests;

namespace ClawSharp.Gateway.Http;

/// <summary>
/// The HTTP/1.1 WebSocket upgrade (RFC 6455 §4.2.2), done here rather than by ASP.NET's
/// WebSocket middleware, for one reason: the middleware computes <c>Sec-WebSocket-Accept</c> with
/// the platform's SHA-1, on Linux OpenSSL's, so a gateway's first WebSocket mapped libcrypto and
/// libssl: 3.7 MiB resident for a checksum of a handshake (bench/RESULTS.md, "Memory",
/// connections). Here it is BouncyCastle's managed SHA-1. The request was already checked as an
/// upgrade by the middleware (<see cref="WebSocketManager.IsWebSocketRequest"/>: GET, the
/// Upgrade and Connection headers, version 13, a 16-byte key), which still accepts what is not
/// HTTP/1.1 (WebSockets over HTTP/2 need no accept key).
/// </summary>
internal static class WebSocketHandshake
{
    /// <summary>Pings on an idle control connection, so a dead peer or a NAT that forgot it is noticed.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(30);

    // RFC 6455 §1.3: appended to the client's key before hashing.
    private const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Answers the upgrade (101) and returns the server side of the WebSocket.</summary>
    public static async Task<WebSocket> AcceptAsync(HttpContext context)
    {
        if (!HttpProtocol.IsHttp11(context.Request.Protocol) || context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true } upgrade)
        {
            return await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        }
        context.Response.Headers.Connection = "Upgrade";
        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers.SecWebSocketAccept = AcceptKey(context.Request.Headers.SecWebSocketKey.ToString());
        var stream = await upgrade.UpgradeAsync().ConfigureAwait(false);
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = KeepAliveInterval });
    }

    /// <summary><c>Sec-WebSocket-Accept</c>: base64 of the SHA-1 of the client's key and the protocol's GUID.</summary>
    public static string AcceptKey(string key)
    {
        var input = Encoding.ASCII.GetBytes(key.Trim() + KeyGuid);
        var digest = new Sha1Digest();
        digest.BlockUpdate(input, 0, input.Length);
        var hash = new byte[digest.GetDigestSize()];
        digest.DoFinal(hash, 0);
        return Convert.ToBase64String(hash);
    }
}

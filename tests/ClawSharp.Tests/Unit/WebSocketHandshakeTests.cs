using System.Security.Cryptography;
using System.Text;
using ClawSharp.Gateway.Http;

namespace ClawSharp.Tests.Unit;

/// <summary><c>Sec-WebSocket-Accept</c> from the managed SHA-1: the RFC's own example, and the platform's SHA-1 for any key.</summary>
public sealed class WebSocketHandshakeTests
{
    [Fact]
    public void TheAcceptKey_IsTheOneRfc6455Gives()
    {
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    [Fact]
    public void TheAcceptKey_MatchesThePlatformsSha1_ForRandomKeys()
    {
        for (var i = 0; i < 200; i++)
        {
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

            var expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

            Assert.Equal(expected, WebSocketHandshake.AcceptKey(key));
        }
    }
}

using System.Net;
using System.Net.WebSockets;
using System.Text;
using ClawSharp.Control.Client;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

/// <summary>A gateway that answers badly gets a clear error from the client, never a crash.</summary>
public sealed class GatewayClientBadAnswerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AFailedAnswerWithoutAnErrorObject_IsABadResponseError()
    {
        var port = TestHttpServer.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var gateway = ServeOneClientAsync(listener);

        await using var client = await GatewayClient.ConnectAsync(new GatewayTarget(new Uri($"ws://127.0.0.1:{port}/"), "t", null), CancellationToken.None)
            .WaitAsync(Deadline);
        var error = await Assert.ThrowsAsync<GatewayCallException>(() => client.CallAsync("status", (System.Text.Json.JsonElement?)null, CancellationToken.None)
            .WaitAsync(Deadline));

        Assert.Equal("BAD_RESPONSE", error.Code);
        Assert.Contains("without an error object", error.Message, StringComparison.Ordinal);
        await gateway.WaitAsync(Deadline);
    }

    /// <summary>A stand-in gateway: the challenge, hello-ok to connect, then <c>ok:false</c> with no <c>error</c>.</summary>
    private static async Task ServeOneClientAsync(HttpListener listener)
    {
        var context = await listener.GetContextAsync();
        var accepted = await context.AcceptWebSocketAsync(null);
        using var socket = accepted.WebSocket;
        await SendAsync(socket, """{"type":"event","event":"connect.challenge","payload":{"nonce":"n","ts":0}}""");
        var connectId = await ReceiveIdAsync(socket);
        await SendAsync(socket, $$$"""{"type":"res","id":"{{{connectId}}}","ok":true,"payload":{"type":"hello-ok","protocol":4}}""");
        var callId = await ReceiveIdAsync(socket);
        await SendAsync(socket, $$$"""{"type":"res","id":"{{{callId}}}","ok":false}""");
    }

    private static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<string> ReceiveIdAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
        using var frame = System.Text.Json.JsonDocument.Parse(buffer.AsMemory(0, result.Count));
        return frame.RootElement.GetProperty("id").GetString()!;
    }
}
